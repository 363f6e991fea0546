/* yamlx.c — YAML text to a positioned node tree (see yamlx.h). */
#include "yamlx.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct anchor {
    char *name;
    struct ynode *node;         /* borrowed from the tree */
};

struct frame {
    struct ynode *node;
    struct ynode *pending_key;  /* map: key read, value not yet */
    char *anchor;               /* owned until registered at the node's end */
};

struct builder {
    const char *path;
    struct diag *d;
    struct ynode *root;
    struct frame stack[YAMLX_MAX_DEPTH + 1];
    int depth;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t nodes;               /* nodes made so far, copies included */
    int alias_line, alias_col;  /* while expanding an alias: where it stands (for messages) */
    int failed;
};

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, int line, int col)
{
    if (++b->nodes > YAMLX_MAX_NODES) {
        if (b->alias_line) {
            line = b->alias_line;
            col = b->alias_col;
        }
        diag_error(b->d, b->path, line, col,
                   "document too large: more than %d nodes (aliases expanded)", YAMLX_MAX_NODES);
        b->failed = DCSIM_EINPUT;
        return NULL;
    }
    struct ynode *n = calloc(1, sizeof *n);
    if (!n) {
        b->failed = DCSIM_ENOMEM;
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    n->col = col;
    return n;
}

void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            ynode_free(n->keys[i]);
        ynode_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->value);
    free(n);
}

static struct ynode *clone_budget(struct builder *b, const struct ynode *src, int line, int col)
{
    struct ynode *n = node_new(b, src->kind, line, col);
    if (!n)
        return NULL;
    n->quoted = src->quoted;
    if (src->value && !(n->value = strdup(src->value)))
        goto oom;
    if (src->n) {
        n->items = calloc(src->n, sizeof *n->items);
        if (!n->items)
            goto oom;
        if (src->keys && !(n->keys = calloc(src->n, sizeof *n->keys)))
            goto oom;
        for (size_t i = 0; i < src->n; i++) {
            if (src->keys && !(n->keys[i] = clone_budget(b, src->keys[i], src->keys[i]->line,
                                                         src->keys[i]->col)))
                goto fail;
            n->n = i + 1;
            if (!(n->items[i] = clone_budget(b, src->items[i], src->items[i]->line,
                                             src->items[i]->col)))
                goto fail;
        }
    }
    return n;
oom:
    b->failed = DCSIM_ENOMEM;
fail:
    ynode_free(n);
    return NULL;
}

struct ynode *ynode_clone(const struct ynode *src)
{
    struct builder b = {0};
    struct diag d;
    diag_init(&d);
    b.d = &d;
    struct ynode *n = clone_budget(&b, src, src->line, src->col);
    diag_release(&d);
    return n;
}

static int push_child(struct ynode *parent, struct ynode *key, struct ynode *value)
{
    /* grow by doubling: capacity is the next power of two of n */
    size_t n = parent->n;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? 2 * n : 4;
        struct ynode **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return DCSIM_ENOMEM;
        parent->items = items;
        if (parent->kind == YNODE_MAP) {
            struct ynode **keys = realloc(parent->keys, cap * sizeof *keys);
            if (!keys)
                return DCSIM_ENOMEM;
            parent->keys = keys;
        }
    }
    if (parent->kind == YNODE_MAP)
        parent->keys[n] = key;
    parent->items[n] = value;
    parent->n = n + 1;
    return 0;
}

/* Hands a finished or started node to its parent; takes ownership either way. */
static int attach(struct builder *b, struct ynode *node)
{
    if (b->depth == 0) {
        if (b->root) {
            ynode_free(node);
            return 0;
        }
        b->root = node;
        return 0;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == YNODE_SEQ) {
        if (push_child(f->node, NULL, node)) {
            ynode_free(node);
            return b->failed = DCSIM_ENOMEM;
        }
        return 0;
    }
    if (!f->pending_key) {
        if (node->kind != YNODE_SCALAR) {
            diag_error(b->d, b->path, node->line, node->col,
                       "a mapping key must be a plain name, not a %s",
                       node->kind == YNODE_MAP ? "mapping" : "sequence");
            ynode_free(node);
            return b->failed = DCSIM_EINPUT;
        }
        /* small maps: checked here; large ones once, sorted, when they end */
        for (size_t i = 0; f->node->n <= YAMLX_DUP_LINEAR && i < f->node->n; i++) {
            if (strcmp(f->node->keys[i]->value, node->value) == 0) {
                diag_error(b->d, b->path, node->line, node->col,
                           "duplicate key '%s' (first at line %d)", node->value,
                           f->node->keys[i]->line);
                ynode_free(node);
                return b->failed = DCSIM_EINPUT;
            }
        }
        f->pending_key = node;
        return 0;
    }
    if (push_child(f->node, f->pending_key, node)) {
        ynode_free(node);
        return b->failed = DCSIM_ENOMEM;
    }
    f->pending_key = NULL;
    return 0;
}

static int add_anchor(struct builder *b, const char *name, struct ynode *node)
{
    if (b->n_anchors == b->cap_anchors) {
        size_t cap = b->cap_anchors ? 2 * b->cap_anchors : 8;
        struct anchor *a = realloc(b->anchors, cap * sizeof *a);
        if (!a)
            return b->failed = DCSIM_ENOMEM;
        b->anchors = a;
        b->cap_anchors = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return b->failed = DCSIM_ENOMEM;
    b->anchors[b->n_anchors].name = copy;
    b->anchors[b->n_anchors].node = node;
    b->n_anchors++;
    return 0;
}

static const struct ynode *find_anchor(const struct builder *b, const char *name)
{
    for (size_t i = b->n_anchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, name) == 0)
            return b->anchors[i].node;
    return NULL;
}

/* Keys of a map in key order (ties by position), for the duplicate check of large maps. */
static int cmp_key(const void *a, const void *b)
{
    const struct ynode *x = *(const struct ynode *const *)a, *y = *(const struct ynode *const *)b;
    int c = strcmp(x->value, y->value);
    if (c)
        return c;
    return x->line != y->line ? (x->line > y->line) - (x->line < y->line)
                              : (x->col > y->col) - (x->col < y->col);
}

/* Duplicate keys of a large map in O(n log n): the first repeat (in file order) is reported
 * at its place, with the first occurrence's line. */
static int check_duplicates(struct builder *b, const struct ynode *map)
{
    const struct ynode **k = malloc(map->n * sizeof *k);
    if (!k)
        return DCSIM_ENOMEM;
    for (size_t i = 0; i < map->n; i++)
        k[i] = map->keys[i];
    qsort(k, map->n, sizeof *k, cmp_key);
    const struct ynode *dup = NULL, *first = NULL;
    for (size_t i = 1; i < map->n; i++)
        if (strcmp(k[i]->value, k[i - 1]->value) == 0 &&
            (!dup || k[i]->line < dup->line ||
             (k[i]->line == dup->line && k[i]->col < dup->col))) {
            size_t j = i - 1;
            while (j > 0 && strcmp(k[j - 1]->value, k[i]->value) == 0)
                j--;
            dup = k[i];
            first = k[j];
        }
    int rc = 0;
    if (dup) {
        diag_error(b->d, b->path, dup->line, dup->col, "duplicate key '%s' (first at line %d)",
                   dup->value, first->line);
        rc = DCSIM_EINPUT;
    }
    free(k);
    return rc;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    struct ynode *n;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (!(n = node_new(b, YNODE_SCALAR, line, col)))
            return b->failed;
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        n->value = malloc(ev->data.scalar.length + 1);
        if (!n->value) {
            ynode_free(n);
            return b->failed = DCSIM_ENOMEM;
        }
        memcpy(n->value, ev->data.scalar.value, ev->data.scalar.length);
        n->value[ev->data.scalar.length] = '\0';
        if (memchr(n->value, '\0', ev->data.scalar.length)) {
            /* a "\0" escape would silently cut the value (an id, a path) short */
            diag_error(b->d, b->path, line, col, "a NUL character (\\0) inside a value");
            ynode_free(n);
            return b->failed = DCSIM_EINPUT;
        }
        if (attach(b, n))
            return b->failed;
        if (ev->data.scalar.anchor)
            return add_anchor(b, (const char *)ev->data.scalar.anchor, n);
        return 0;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (b->depth >= YAMLX_MAX_DEPTH) {
            diag_error(b->d, b->path, line, col, "nesting deeper than %d levels",
                       YAMLX_MAX_DEPTH);
            return b->failed = DCSIM_EINPUT;
        }
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (!(n = node_new(b, is_map ? YNODE_MAP : YNODE_SEQ, line, col)))
            return b->failed;
        if (!(n->value = strdup(""))) {
            ynode_free(n);
            return b->failed = DCSIM_ENOMEM;
        }
        if (attach(b, n))
            return b->failed;
        const yaml_char_t *anchor =
            is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        struct frame *f = &b->stack[b->depth++];
        f->node = n;
        f->pending_key = NULL;
        f->anchor = NULL;
        if (anchor && !(f->anchor = strdup((const char *)anchor)))
            return b->failed = DCSIM_ENOMEM;
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        struct frame *f = &b->stack[--b->depth];
        int rc = f->node->kind == YNODE_MAP && f->node->n > YAMLX_DUP_LINEAR
                     ? check_duplicates(b, f->node) : 0;
        if (rc) {
            free(f->anchor);
            f->anchor = NULL;
            return b->failed = rc;
        }
        if (f->anchor)
            rc = add_anchor(b, f->anchor, f->node);
        free(f->anchor);
        f->anchor = NULL;
        return rc;
    }
    case YAML_ALIAS_EVENT: {
        const struct ynode *target = find_anchor(b, (const char *)ev->data.alias.anchor);
        if (!target) {
            diag_error(b->d, b->path, line, col, "unknown alias '*%s'",
                       (const char *)ev->data.alias.anchor);
            return b->failed = DCSIM_EINPUT;
        }
        b->alias_line = line;
        b->alias_col = col;
        n = clone_budget(b, target, line, col);
        b->alias_line = b->alias_col = 0;
        if (!n)
            return b->failed ? b->failed : DCSIM_ENOMEM;
        return attach(b, n);
    }
    case YAML_DOCUMENT_START_EVENT:
        if (b->root) {
            diag_error(b->d, b->path, line, col, "more than one YAML document in the file");
            return b->failed = DCSIM_EINPUT;
        }
        return 0;
    default:
        return 0;
    }
}

static void builder_release(struct builder *b)
{
    for (int i = 0; i < b->depth; i++) {
        free(b->stack[i].anchor);
        ynode_free(b->stack[i].pending_key);
    }
    for (size_t i = 0; i < b->n_anchors; i++)
        free(b->anchors[i].name);
    free(b->anchors);
}

int ydoc_parse(const char *path, const char *text, size_t len, struct ydoc *doc, struct diag *d)
{
    memset(doc, 0, sizeof *doc);
    doc->path = strdup(path);
    doc->text = malloc(len + 1);
    if (!doc->path || !doc->text) {
        ydoc_release(doc);
        return DCSIM_ENOMEM;
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->text_len = len;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        ydoc_release(doc);
        return DCSIM_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)doc->text, len);
    struct builder b = {.path = path, .d = d};
    int done = 0;
    while (!done && !b.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            int line = (int)parser.problem_mark.line + 1, col = (int)parser.problem_mark.column + 1;
            if (parser.error == YAML_MEMORY_ERROR) {
                b.failed = DCSIM_ENOMEM;
            } else if (parser.error == YAML_READER_ERROR) {
                /* the reader gives a byte offset, not a mark: find its line and column */
                size_t off = parser.problem_offset < len ? parser.problem_offset : len;
                line = 1;
                col = 1;
                for (size_t i = 0; i < off; i++) {
                    if (doc->text[i] == '\n') {
                        line++;
                        col = 1;
                    } else if (((unsigned char)doc->text[i] & 0xC0) != 0x80) {
                        col++;
                    }
                }
                diag_error(d, path, line, col, "malformed YAML: %s (the file must be UTF-8: "
                           "byte 0x%02x here; re-save it as UTF-8, e.g. iconv -f latin1 -t "
                           "utf-8)", parser.problem ? parser.problem : "bad encoding",
                           (unsigned char)doc->text[off < len ? off : 0]);
                b.failed = DCSIM_EINPUT;
            } else {
                diag_error(d, path, line, col, "malformed YAML: %s%s%s",
                           parser.problem ? parser.problem : "syntax error",
                           parser.context ? " " : "", parser.context ? parser.context : "");
                b.failed = DCSIM_EINPUT;
            }
            break;
        }
        on_event(&b, &ev);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    builder_release(&b);
    doc->root = b.root;
    if (b.failed) {
        ydoc_release(doc);
        return b.failed;
    }
    return 0;
}

int yamlx_read_file(const char *path, char **text, size_t *len_out, struct diag *d)
{
    *text = NULL;
    *len_out = 0;
    int is_stdin = strcmp(path, "-") == 0;   /* `-`: standard input (issue 10) */
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (is_stdin)
        path = YAMLX_STDIN_NAME;
    if (!f) {
        diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
        return DCSIM_EIO;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    int rc = buf ? 0 : DCSIM_ENOMEM;
    while (!rc) {
        if (len == cap) {
            if (cap >= YAMLX_MAX_BYTES) {
                /* exactly the limit is allowed: only a byte beyond it is refused */
                int more = getc(f);
                if (more == EOF && !ferror(f))
                    break;
                if (more == EOF) {
                    diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                    rc = DCSIM_EIO;
                } else {
                    diag_error(d, path, 0, 0, "file larger than %u MiB", YAMLX_MAX_BYTES >> 20);
                    rc = DCSIM_EINPUT;
                }
                break;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                rc = DCSIM_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                rc = DCSIM_EIO;
            }
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *text = buf;
    *len_out = len;
    return 0;
}

int ydoc_load(const char *path, struct ydoc *doc, struct diag *d)
{
    memset(doc, 0, sizeof *doc);
    char *text;
    size_t len;
    int rc = yamlx_read_file(path, &text, &len, d);
    if (rc)
        return rc;
    rc = ydoc_parse(path, text, len, doc, d);
    free(text);
    return rc;
}

void ydoc_release(struct ydoc *doc)
{
    if (!doc)
        return;
    ynode_free(doc->root);
    free(doc->path);
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}

const struct ynode *ynode_key(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->keys[i];
    return NULL;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

/* ---- emitting (a sweep case's scenario as run) ---- */

struct emit_buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void emit_raw(struct emit_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void emit_str(struct emit_buf *b, const char *s)
{
    emit_raw(b, s, strlen(s));
}

static void emit_indent(struct emit_buf *b, int indent)
{
    for (int i = 0; i < indent; i++)
        emit_raw(b, " ", 1);
}

/* A scalar: plain when it was plain and reads back the same, else double-quoted. */
static void emit_scalar(struct emit_buf *b, const struct ynode *n)
{
    const char *v = n->value ? n->value : "";
    if (!n->quoted && !v[0])
        return;   /* a plain empty scalar: null */
    int plain = !n->quoted && v[0] && !strchr(",[]{}#&*!|>'\"%@` ", v[0]) &&
                !(strchr("-?:", v[0]) && (v[1] == ' ' || v[1] == '\0')) &&
                !strstr(v, ": ") && !strstr(v, " #") && v[strlen(v) - 1] != ' ' &&
                v[strlen(v) - 1] != ':';
    for (const char *c = v; plain && *c; c++)
        plain = (unsigned char)*c >= 0x20 && *c != 0x7f;
    if (plain) {
        emit_str(b, v);
        return;
    }
    emit_raw(b, "\"", 1);
    for (const char *c = v; *c; c++) {
        char esc[8];
        if (*c == '"' || *c == '\\') {
            esc[0] = '\\';
            esc[1] = *c;
            emit_raw(b, esc, 2);
        } else if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)*c);
            emit_str(b, esc);
        } else {
            emit_raw(b, c, 1);
        }
    }
    emit_raw(b, "\"", 1);
}

static void emit_node(struct emit_buf *b, const struct ynode *n, int indent, int depth)
{
    if (depth > YAMLX_MAX_DEPTH) {
        b->failed = 1;
        return;
    }
    if (!n || n->kind == YNODE_SCALAR) {
        emit_raw(b, " ", 1);
        if (n)
            emit_scalar(b, n);
        else
            emit_str(b, "null");
        emit_raw(b, "\n", 1);
        return;
    }
    if (n->n == 0) {
        emit_str(b, n->kind == YNODE_MAP ? " {}\n" : " []\n");
        return;
    }
    emit_raw(b, "\n", 1);
    for (size_t i = 0; i < n->n; i++) {
        emit_indent(b, indent);
        if (n->kind == YNODE_MAP) {
            emit_scalar(b, n->keys[i]);
            emit_raw(b, ":", 1);
        } else {
            emit_raw(b, "-", 1);
        }
        emit_node(b, n->items[i], indent + 2, depth + 1);
    }
}

int ynode_emit(const struct ynode *root, char **text, size_t *len)
{
    struct emit_buf b = {0};
    *text = NULL;
    *len = 0;
    if (root && root->kind == YNODE_MAP) {
        for (size_t i = 0; i < root->n; i++) {
            emit_scalar(&b, root->keys[i]);
            emit_raw(&b, ":", 1);
            emit_node(&b, root->items[i], 2, 1);
        }
    } else {
        emit_str(&b, "");
    }
    if (b.failed || !b.p) {
        free(b.p);
        return DCSIM_ENOMEM;
    }
    *text = b.p;
    *len = b.len;
    return 0;
}
