/* Floating point through the C library: printf of doubles (musl uses x87 long double), libm,
 * long double arithmetic, conversions and rounding modes. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    volatile double xs[] = {0.0, -0.0, 1.0, 0.1, 2.5, 3.14159265358979, 1e-5, 12345.678, 1e300, -7.25e-310, 6.02214076e23};
    for (unsigned i = 0; i < sizeof xs / sizeof *xs; i++) {
        double x = xs[i];
        printf("%f %e %g %.17g %a\n", x, x, x, x, x);
    }
    printf("%5.2f %10.4f %-8.3e| %.0f %.0f %.0f\n", 3.14159, -2.71828, 0.000123, 0.5, 1.5, 2.5);
    for (int i = 1; i <= 6; i++) {
        double x = i * 0.7;
        printf("x=%.3f sqrt=%.15g sin=%.15g cos=%.15g exp=%.15g log=%.15g pow=%.15g atan2=%.15g\n", x, sqrt(x), sin(x), cos(x), exp(x), log(x), pow(x, 1.7), atan2(x, 1.3));
        printf("  floor=%g ceil=%g round=%g trunc=%g fmod=%.15g hypot=%.15g cbrt=%.15g\n", floor(x * 3), ceil(x * 3), round(x * 3), trunc(-x * 3), fmod(x * 10, 3.3), hypot(x, 2), cbrt(x));
    }
    long double a = 1.0L / 3.0L, b = 2.0L;
    printf("long double %.20Lf %.20Lg %Le\n", a, sqrtl(b), a * b * 1e100L);
    float f = 1.0f / 7.0f;
    printf("float %.10f %a\n", f, f);
    double sum = 0;
    for (int i = 1; i <= 100000; i++) sum += 1.0 / ((double) i * i);
    printf("basel %.17g\n", sum);
    int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double one = 1.0, three = 3.0;
        printf("mode %d: %.17g %ld %lld\n", m, one / three, lrint(2.5), llrint(-3.5));
    }
    fesetround(FE_TONEAREST);
    printf("strtod %.17g %.17g\n", strtod("3.141592653589793238", NULL), strtod("1e-320", NULL));
    printf("ints %d %ld %u\n", (int) -3.99, (long) 1e18, (unsigned) 4e9);
    return 0;
}
