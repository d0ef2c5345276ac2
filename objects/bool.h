/*
 * objects/bool.h -- None, True and False: three immortal singletons.
 *
 * The getters return the immortal objects themselves; counting them changes
 * nothing, so the caller may treat the result as new or borrowed alike.
 * Booleans are their own type here, not a kind of int: True does not equal 1.
 */
#ifndef RC_OBJECTS_BOOL_H
#define RC_OBJECTS_BOOL_H

#include <stdbool.h>

#include "objects/object.h"

extern rc_type rc_none_type;
extern rc_type rc_bool_type;

/* Returns: None (immortal). */
rc_object *rc_none(void);
/* Returns: True or False (immortal). */
rc_object *rc_bool_from(bool value);
rc_object *rc_true(void);
rc_object *rc_false(void);

bool rc_is_none(const rc_object *o);
bool rc_bool_check(const rc_object *o);

/* 1 if o is True, 0 if False; RC_ETYPE for any other object. */
int rc_bool_value(rc_object *o);

#endif /* RC_OBJECTS_BOOL_H */
