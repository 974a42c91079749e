/* Objects kept one per thread (caches, library contexts) and freed together at
 * teardown, once no thread uses them. Each object embeds a UtilThreadNode as
 * its first member. A thread keeps a _Thread_local pointer to its own object
 * and the generation it was made in: util_thread_list_take (teardown) bumps
 * the generation, so a thread that runs again afterwards makes a new object
 * instead of using the freed one. The lock is taken once per thread and at
 * teardown, never per use. */
#ifndef VG_UTIL_UTIL_THREAD_LIST_H
#define VG_UTIL_UTIL_THREAD_LIST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct UtilThreadNode {
    struct UtilThreadNode *next;
} UtilThreadNode;

typedef struct UtilThreadList {
    pthread_mutex_t lock;
    UtilThreadNode *head;        // under lock
    _Atomic uint64_t generation; // bumped by util_thread_list_take only
} UtilThreadList;

#define UTIL_THREAD_LIST_INIT {PTHREAD_MUTEX_INITIALIZER, NULL, 1}

static inline uint64_t util_thread_list_generation(UtilThreadList *l)
{
    return atomic_load(&l->generation);
}

static inline void util_thread_list_add(UtilThreadList *l, UtilThreadNode *n)
{
    pthread_mutex_lock(&l->lock);
    n->next = l->head;
    l->head = n;
    pthread_mutex_unlock(&l->lock);
}

/* Every object listed (the caller frees them, following next), the list left
 * empty and the generation bumped. */
static inline UtilThreadNode *util_thread_list_take(UtilThreadList *l)
{
    pthread_mutex_lock(&l->lock);
    UtilThreadNode *all = l->head;
    l->head = NULL;
    atomic_fetch_add(&l->generation, 1);
    pthread_mutex_unlock(&l->lock);
    return all;
}

#endif
