/* The long double libm, which musl writes with the x87 instructions F2XM1, FYL2X, FYL2XP1, FPATAN,
 * FSCALE, FPREM, FPREM1 and FRNDINT. Results are printed to 17 digits, not to their last bit: the
 * host's transcendental instructions are not always correctly rounded (logl(3) on an AMD EPYC is
 * one unit in the last place above the correctly rounded FYL2X result the model gives), and
 * X87HostTest checks the instructions bit for bit where the host is exact. */
#include <math.h>
#include <stdio.h>

static void show(const char *name, long double x, long double v)
{
    printf("%-10s %-12.6Lg %.17Lg\n", name, x, v);
}

int main(void)
{
    volatile long double xs[] = {0.7L, 2.3L, -1.25L, 1e-5L, 123.456L, 1e10L, 0.5L, 3.0L, 1e-300L, 1e4000L};
    for (unsigned i = 0; i < sizeof xs / sizeof *xs; i++) {
        long double x = xs[i];
        show("expl", x, expl(x));
        show("exp2l", x, exp2l(x));
        show("expm1l", x, expm1l(x));
        show("logl", x, logl(fabsl(x)));
        show("log2l", x, log2l(fabsl(x)));
        show("log10l", x, log10l(fabsl(x)));
        show("log1pl", x, log1pl(x));
        show("powl", x, powl(fabsl(x), 1.0L / 3.0L));
        show("sinl", x, sinl(x));
        show("cosl", x, cosl(x));
        show("tanl", x, tanl(x));
        show("atanl", x, atanl(x));
        show("atan2l", x, atan2l(x, -0.3L));
        show("fmodl", x, fmodl(x, 0.3L));
        show("remainderl", x, remainderl(x, 0.3L));
        show("rintl", x, rintl(x));
        show("logbl", x, logbl(x));
        show("scalbnl", x, scalbnl(x, 7));
    }
    return 0;
}
