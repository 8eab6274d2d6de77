/* A Realm app's arguments, as the host relays them (HOSTCALL_GET_ARGS): what a user typed
 * after the app's name in the Realm's shell. Not measured, and untrusted like every host
 * answer: the length is checked, and the app parses the text as any argv. */
#ifndef CCADA_REALM_APPS_APP_ARGS_H
#define CCADA_REALM_APPS_APP_ARGS_H

#include "proto/hostcall.h"
#include "realm/kernel.h"

#define APP_ARGS_MAX HOSTCALL_ARGS_MAX

/* Fills out (NUL-terminated; an empty string when the host gave none). Errors: the host
 * call's status, CCADA_E_PEER (a length beyond APP_ARGS_MAX). */
ccada_status app_args_get(struct realm_kernel *k, char out[APP_ARGS_MAX + 1]) CCADA_MUST_CHECK;

#endif
