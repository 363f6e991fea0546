/* scenario_events.c — the top-level `events:` list: scripted outages and failures, each
 * attached to the site it hits (see struct event in scenario.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parts.h"

static const char *const event_keys[] = {"type", "at", "duration", "site", "supply", "loop",
                                         "units", "fraction", NULL};
static const char *const loop_names[] = {"air", "liquid", NULL};

static const struct site *find_site(const struct scenario *s, const char *id, size_t *index)
{
    for (size_t i = 0; i < s->n_sites; i++)
        if (strcmp(s->sites[i].id, id) == 0) {
            *index = i;
            return &s->sites[i];
        }
    return NULL;
}

/* The supply an event names, which must be of the type the event acts on. */
static int event_supply(const struct yctx *c, const struct ynode *m, const char *path,
                        const struct site *site, enum supply_type want, struct event *ev)
{
    const char *id;
    if (yget_string(c, m, path, "supply", 1, NULL, &id))
        return 1;
    for (size_t j = 0; j < site->n_supplies; j++) {
        if (strcmp(site->supplies[j].id, id) != 0)
            continue;
        if (site->supplies[j].type != want) {
            yget_error(c, ynode_get(m, "supply"), "%s: supply '%s' is a %s, not a %s", path, id,
                       supply_type_names[site->supplies[j].type], supply_type_names[want]);
            return 1;
        }
        ev->supply = j;
        return 0;
    }
    const char *names[64];
    size_t n = 0;
    for (size_t j = 0; j < site->n_supplies && n < 64; j++)
        names[n++] = site->supplies[j].id;
    const char *near = strdist_nearest(id, names, n);
    yget_error(c, ynode_get(m, "supply"), "%s: site '%s' has no supply '%.40s'%s%s%s", path,
               site->id, id, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return 1;
}

static int cmp_event(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    return (x->start_s > y->start_s) - (x->start_s < y->start_s);
}

static int parse_event(const struct yctx *c, const struct ynode *m, const char *path,
                       struct scenario *s, size_t *site_index, struct event *ev)
{
    int bad = yget_check_keys(c, m, path, event_keys) ? 1 : 0;
    if (m->kind != YNODE_MAP)
        return 1;
    int type;
    if (yget_choice(c, m, path, "type", event_type_names, -1, &type))
        return 1;
    ev->type = (enum event_type)type;
    int present;
    int64_t at;
    bad |= yget_date(c, m, path, "at", &at, &present) != 0;
    if (!present && !bad) {
        yget_error(c, m, "missing required key 'at' in %s", path);
        bad = 1;
    }
    int64_t dur;
    bad |= yget_span(c, m, path, "duration", 1, 0, &dur) != 0;
    ev->start_s = at - s->start_unix_s;
    ev->end_s = ev->start_s + dur;
    const char *site_id;
    if (yget_string(c, m, path, "site", 1, NULL, &site_id))
        return 1;
    const struct site *site = find_site(s, site_id, site_index);
    if (!site) {
        yget_error(c, ynode_get(m, "site"), "%s: no site '%.40s'", path, site_id);
        return 1;
    }
    switch (ev->type) {
    case EVENT_GRID_OUTAGE:
        bad |= event_supply(c, m, path, site, SUPPLY_GRID, ev);
        break;
    case EVENT_GENERATOR_FAIL_TO_START:
        bad |= event_supply(c, m, path, site, SUPPLY_GENERATOR, ev);
        break;
    case EVENT_REACTOR_TRIP: {
        bad |= event_supply(c, m, path, site, SUPPLY_REACTOR, ev);
        double units;
        bad |= yget_number(c, m, path, "units", YGET_POSITIVE | YGET_INTEGER, 1, &units) != 0;
        /* 1001 is more than any supply has (at most 1000): refused just below */
        ev->units = units >= 1 && units <= 1000 ? (int)units : 1001;
        if (!bad && ev->units > site->supplies[ev->supply].units) {
            yget_error(c, ynode_get(m, "units"), "%s: supply '%s' has only %d units", path,
                       site->supplies[ev->supply].id, site->supplies[ev->supply].units);
            bad = 1;
        }
        break;
    }
    case EVENT_COOLING_LOSS: {
        int loop;
        bad |= yget_choice(c, m, path, "loop", loop_names, 1, &loop) != 0;
        ev->loop_liquid = loop;
        bad |= yget_number(c, m, path, "fraction", YGET_FRACTION, 1.0, &ev->fraction) != 0;
        if (!bad && !(loop ? site->liquid.present : site->air.present)) {
            yget_error(c, m, "%s: site '%s' has no %s cooling", path, site->id, loop_names[loop]);
            bad = 1;
        }
        break;
    }
    }
    return bad;
}

int parse_events(const struct yctx *c, const struct ynode *root, struct scenario *s)
{
    int bad = 0;
    const struct ynode *list = get_list(c, root, "the scenario", "events", 0, &bad);
    if (!list)
        return bad ? DCSIM_EINPUT : 0;
    for (size_t i = 0; i < list->n; i++) {
        char path[48];
        snprintf(path, sizeof path, "events[%zu]", i + 1);
        struct event ev = {0};
        size_t site_index = 0;
        if (parse_event(c, list->items[i], path, s, &site_index, &ev)) {
            bad = 1;
            continue;
        }
        struct site *site = &s->sites[site_index];
        struct event *grown = realloc(site->events, (site->n_events + 1) * sizeof *grown);
        if (!grown)
            return DCSIM_ENOMEM;
        site->events = grown;
        site->events[site->n_events++] = ev;
    }
    for (size_t i = 0; i < s->n_sites; i++)
        if (s->sites[i].n_events > 1)
            qsort(s->sites[i].events, s->sites[i].n_events, sizeof *s->sites[i].events, cmp_event);
    return bad ? DCSIM_EINPUT : 0;
}
