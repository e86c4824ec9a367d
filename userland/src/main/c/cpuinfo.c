/*
 * cpuinfo: /proc/cpuinfo describes the processor CPUID describes. Executes CPUID itself and
 * checks the first processor's vendor_id, cpu family, model and stepping, and a list of feature
 * flags (each named in "flags" exactly when its CPUID bit is set), as Linux writes them.
 * Prints one line a check; the processor itself differs from machine to machine.
 *
 * usage: cpuinfo
 * Exit status: 0 when every check holds, 1 otherwise.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char line[8192];
static char flags[8192];
static char vendor[64];
static int family = -1, model = -1, stepping = -1;

static const char *value(const char *l)
{
    const char *colon = strchr(l, ':');
    if (!colon) return "";
    colon++;
    while (*colon == ' ') colon++;
    return colon;
}

static void read_first_processor(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) { perror("cpuinfo: /proc/cpuinfo"); exit(1); }
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n') break; /* the first processor's block ends */
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "vendor_id", 9)) snprintf(vendor, sizeof vendor, "%s", value(line));
        else if (!strncmp(line, "cpu family", 10)) family = atoi(value(line));
        else if (!strncmp(line, "model\t", 6)) model = atoi(value(line));
        else if (!strncmp(line, "stepping", 8)) stepping = atoi(value(line));
        else if (!strncmp(line, "flags", 5)) snprintf(flags, sizeof flags, " %s ", value(line));
    }
    fclose(f);
}

static int listed(const char *name)
{
    char word[64];
    snprintf(word, sizeof word, " %s ", name);
    return strstr(flags, word) != NULL;
}

struct flag { const char *name; int leaf_ext; int reg; int bit; }; /* reg: 2 ECX, 3 EDX */

static const struct flag checked[] = {
    {"fpu", 0, 3, 0}, {"tsc", 0, 3, 4}, {"msr", 0, 3, 5}, {"pae", 0, 3, 6}, {"cx8", 0, 3, 8},
    {"cmov", 0, 3, 15}, {"clflush", 0, 3, 19}, {"fxsr", 0, 3, 24}, {"sse", 0, 3, 25}, {"sse2", 0, 3, 26},
    {"syscall", 1, 3, 11}, {"nx", 1, 3, 20}, {"rdtscp", 1, 3, 27}, {"lm", 1, 3, 29},
    {"pni", 0, 2, 0}, {"ssse3", 0, 2, 9}, {"cx16", 0, 2, 13}, {"sse4_1", 0, 2, 19}, {"sse4_2", 0, 2, 20},
    {"popcnt", 0, 2, 23}, {"avx", 0, 2, 28}, {"lahf_lm", 1, 2, 0},
};

int main(void)
{
    unsigned a, b, c, d, ea = 0, eb = 0, ec = 0, ed = 0;
    int failed = 0;
    read_first_processor();

    __cpuid(0, a, b, c, d);
    char v[13];
    memcpy(v, &b, 4); memcpy(v + 4, &d, 4); memcpy(v + 8, &c, 4); v[12] = 0;
    if (strcmp(v, vendor)) { printf("vendor_id: CPUID says %s, /proc/cpuinfo %s\n", v, vendor); failed = 1; }
    else printf("vendor_id agrees with CPUID\n");

    __cpuid(1, a, b, c, d);
    int fam = (a >> 8) & 0xF, mod = (a >> 4) & 0xF;
    if (fam == 0xF) fam += (a >> 20) & 0xFF;
    if (fam >= 6) mod |= ((a >> 16) & 0xF) << 4;
    if (fam != family || mod != model || (int) (a & 0xF) != stepping) {
        printf("family/model/stepping: CPUID says %d/%d/%d, /proc/cpuinfo %d/%d/%d\n", fam, mod, a & 0xF,
               family, model, stepping);
        failed = 1;
    } else {
        printf("cpu family, model and stepping agree with CPUID\n");
    }

    __cpuid(0x80000000, ea, eb, ec, ed);
    if (ea >= 0x80000001) __cpuid(0x80000001, ea, eb, ec, ed); else ea = eb = ec = ed = 0;
    int n = 0;
    for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++) {
        const struct flag *f = &checked[i];
        unsigned reg = f->leaf_ext ? (f->reg == 2 ? ec : ed) : (f->reg == 2 ? c : d);
        int set = (reg >> f->bit) & 1;
        if (set != listed(f->name)) {
            printf("flag %s: CPUID says %d, /proc/cpuinfo %d\n", f->name, set, !set);
            failed = 1;
        }
        n++;
    }
    if (!failed) printf("the %d flags checked agree with CPUID\n", n);
    return failed;
}
