/* yamlx.h — a YAML document as a tree of nodes that remember their line and column.
 *
 * libyaml's event parser builds the tree; aliases are expanded into copies under a node
 * budget (YAMLX_MAX_NODES) and a nesting bound (YAMLX_MAX_DEPTH), so an alias bomb or
 * a deeply nested input fails fast with a message instead of exhausting memory. */
#ifndef DCSIM_YAMLX_H
#define DCSIM_YAMLX_H

#include <stddef.h>

#include "err.h"

#define YAMLX_MAX_NODES 200000   /* nodes in one document, aliases expanded */
#define YAMLX_MAX_DEPTH 64       /* nesting of mappings and sequences */
#define YAMLX_DUP_LINEAR 32      /* maps up to this many keys: duplicates checked as they come */
#define YAMLX_MAX_BYTES (16u << 20)

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

struct ynode {
    enum ynode_kind kind;
    int line, col;              /* 1-based position of the node's start */
    int quoted;                 /* scalar: written in quotes (never a number or null) */
    char *value;                /* scalar text, owned ("" for maps and sequences) */
    size_t n;                   /* map: pairs; seq: items */
    struct ynode **keys;        /* map: key scalars, owned */
    struct ynode **items;       /* map: values; seq: items; owned */
};

struct ydoc {
    char *path;                 /* owned: the name used in messages */
    char *text;                 /* owned: the file's bytes, NUL-terminated */
    size_t text_len;
    struct ynode *root;         /* owned; NULL for an empty document */
};

/** Reads and parses a file. Errors go to `d` (path:line:col); returns 0, DCSIM_EINPUT,
 *  DCSIM_EIO (unreadable) or DCSIM_ENOMEM. On failure *doc is released. */
int ydoc_load(const char *path, struct ydoc *doc, struct diag *d);

/** Writes a document tree back as block YAML (comments and the original layout are lost;
 *  every value reads back the same). *text (NUL-terminated, *len bytes) is the caller's to
 *  free. Returns 0 or DCSIM_ENOMEM (also for a tree deeper than YAMLX_MAX_DEPTH). */
int ynode_emit(const struct ynode *root, char **text, size_t *len);

/** The name messages give standard input (path "-"). */
#define YAMLX_STDIN_NAME "<stdin>"

/** Reads a whole file (at most YAMLX_MAX_BYTES) into a NUL-terminated buffer the caller
 *  frees; path "-" reads standard input. Returns 0, DCSIM_EIO (reported), DCSIM_EINPUT (too large) or DCSIM_ENOMEM. */
int yamlx_read_file(const char *path, char **text, size_t *len, struct diag *d);

/** Parses text (copied) under the name `path` for messages. */
int ydoc_parse(const char *path, const char *text, size_t len, struct ydoc *doc, struct diag *d);

void ydoc_release(struct ydoc *doc);

/** The value of `key` in a map node, or NULL (also when map is NULL or not a map). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/** The key node of `key` in a map node, or NULL. */
const struct ynode *ynode_key(const struct ynode *map, const char *key);

/** Deep copy of a node (NULL on allocation failure). */
struct ynode *ynode_clone(const struct ynode *n);

void ynode_free(struct ynode *n);

#endif
