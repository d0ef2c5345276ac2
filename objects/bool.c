/*
 * objects/bool.c -- None, True and False.
 *
 * Three statically allocated immortal objects: they are never counted,
 * never freed, and exist before the runtime starts.
 */
#include "objects/bool.h"
#include "objects/object_internal.h"
#include "objects/str.h"

static rc_status none_hash(rc_object *self, uint64_t *out) {
    (void)self;
    *out = 0x4e6f6e65u; /* "None": any constant works for a singleton */
    return RC_OK;
}

static rc_object *none_repr(rc_object *self) {
    (void)self;
    return rc_str_from_cstr("None");
}

rc_type rc_none_type = {
    .name = "NoneType",
    .basicsize = sizeof(rc_object),
    .hash = none_hash,
    .repr = none_repr,
    .id = RCI_TYPE_ID_NONE,
};

static rc_object none_object = {RCS_HEADER_IMMORTAL_INIT, &rc_none_type};
static rc_object true_object = {RCS_HEADER_IMMORTAL_INIT, &rc_bool_type};
static rc_object false_object = {RCS_HEADER_IMMORTAL_INIT, &rc_bool_type};

static rc_status bool_hash(rc_object *self, uint64_t *out) {
    *out = self == &true_object;
    return RC_OK;
}

static rc_object *bool_repr(rc_object *self) {
    return rc_str_from_cstr(self == &true_object ? "True" : "False");
}

rc_type rc_bool_type = {
    .name = "bool",
    .basicsize = sizeof(rc_object),
    .hash = bool_hash,
    .repr = bool_repr,
    .id = RCI_TYPE_ID_BOOL,
};

rc_object *rc_none(void) {
    return &none_object;
}

rc_object *rc_true(void) {
    return &true_object;
}

rc_object *rc_false(void) {
    return &false_object;
}

rc_object *rc_bool_from(bool value) {
    return value ? &true_object : &false_object;
}

bool rc_is_none(const rc_object *o) {
    return o == &none_object;
}

bool rc_bool_check(const rc_object *o) {
    return o && o->type == &rc_bool_type;
}

int rc_bool_value(rc_object *o) {
    if (!rc_bool_check(o))
        return rc_error_set(RC_ETYPE, "expected a bool, got %s",
                         o ? o->type->name : "NULL");
    return o == &true_object;
}
