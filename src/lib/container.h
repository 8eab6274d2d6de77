/* container_of and ARRAY_SIZE, as the Linux kernel and TF-RMM spell them. */
#ifndef CCADA_LIB_CONTAINER_H
#define CCADA_LIB_CONTAINER_H

#include <stddef.h>

/* The struct of type `type` whose member `member` ptr points at. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Elements of an array (not of a pointer: that would not compile as one). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
