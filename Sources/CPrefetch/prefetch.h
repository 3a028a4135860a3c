// Software prefetch, which Swift cannot spell: a hint to bring the cache line holding p
// into the caches ahead of its load. It never faults, so p may point past a buffer's end.
static inline void repro_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
