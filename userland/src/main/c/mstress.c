/*
 * mstress: a malloc/realloc/free stress driven by a seeded xorshift generator. It keeps a table
 * of live blocks, each filled with a pattern derived from its serial number, and checks the
 * pattern before every realloc and free: a block that changed behind the allocator's back is
 * reported and the exit status is 1. The checksum printed at the end covers the sizes and the
 * data seen, never an address, so it is the same wherever the heap lives.
 *
 * usage: mstress [OPERATIONS [SEED]]   (defaults 200000 and 1)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

struct block {
	unsigned char *data;
	size_t size;
	uint32_t serial;
};

static uint64_t rng_state;

static uint64_t next_random(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Mostly small blocks, some pages, a few large enough for mmap in most allocators. */
static size_t random_size(void)
{
	uint64_t r = next_random();
	switch (r % 16) {
	case 0: return (size_t)(r >> 8) % (256 * 1024) + 1;
	case 1: case 2: return (size_t)(r >> 8) % 8192 + 1;
	default: return (size_t)(r >> 8) % 256 + 1;
	}
}

static unsigned char pattern(uint32_t serial, size_t i)
{
	return (unsigned char)(serial * 31u + i * 7u + (i >> 8));
}

static void fill(struct block *b, size_t from)
{
	for (size_t i = from; i < b->size; i++)
		b->data[i] = pattern(b->serial, i);
}

static uint64_t checksum;

/* Checks the first n bytes of b and folds them into the checksum; 0 when they are intact. */
static int verify(const struct block *b, size_t n, int slot)
{
	for (size_t i = 0; i < n; i++) {
		if (b->data[i] != pattern(b->serial, i)) {
			fprintf(stderr, "mstress: slot %d (block %u, %zu bytes): byte %zu is 0x%02x, expected 0x%02x\n",
				slot, b->serial, b->size, i, b->data[i], pattern(b->serial, i));
			return 1;
		}
		checksum = checksum * 1099511628211ull ^ b->data[i];
	}
	checksum = checksum * 1099511628211ull ^ n;
	return 0;
}

int main(int argc, char **argv)
{
	long operations = argc > 1 ? atol(argv[1]) : 200000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	if (operations < 0) {
		fprintf(stderr, "usage: mstress [OPERATIONS [SEED]]\n");
		return 2;
	}
	rng_state = seed ? seed : 0x9E3779B97F4A7C15ull;
	checksum = 14695981039346656037ull;

	static struct block table[SLOTS];
	uint32_t serial = 0;
	long mallocs = 0, reallocs = 0, frees = 0;
	size_t live = 0, peak = 0;
	int errors = 0;

	for (long op = 0; op < operations && !errors; op++) {
		int slot = (int)(next_random() % SLOTS);
		struct block *b = &table[slot];
		uint64_t what = next_random() % 4;
		if (!b->data) {
			b->size = random_size();
			b->serial = ++serial;
			b->data = malloc(b->size);
			if (!b->data) {
				fprintf(stderr, "mstress: malloc(%zu) failed\n", b->size);
				return 1;
			}
			fill(b, 0);
			live += b->size;
			mallocs++;
		} else if (what == 0) {
			size_t size = random_size();
			size_t kept = size < b->size ? size : b->size;
			errors += verify(b, b->size, slot);
			unsigned char *moved = realloc(b->data, size);
			if (!moved) {
				fprintf(stderr, "mstress: realloc(%zu) failed\n", size);
				return 1;
			}
			live = live - b->size + size;
			size_t old = b->size;
			b->data = moved;
			b->size = size;
			/* What realloc kept must be unchanged; the rest is new and gets the pattern. */
			errors += verify(b, kept, slot);
			if (size > old)
				fill(b, old);
			reallocs++;
		} else {
			errors += verify(b, b->size, slot);
			live -= b->size;
			free(b->data);
			b->data = NULL;
			frees++;
		}
		if (live > peak)
			peak = live;
	}
	for (int slot = 0; slot < SLOTS; slot++) {
		if (table[slot].data) {
			errors += verify(&table[slot], table[slot].size, slot);
			free(table[slot].data);
			frees++;
		}
	}

	printf("mstress: %ld operations, seed %llu\n", operations, (unsigned long long)seed);
	printf("malloc %ld, realloc %ld, free %ld\n", mallocs, reallocs, frees);
	printf("peak live bytes %zu\n", peak);
	printf("checksum %016llx\n", (unsigned long long)checksum);
	printf("%s\n", errors ? "CORRUPTED" : "ok");
	return errors ? 1 : 0;
}
