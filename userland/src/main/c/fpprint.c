/*
 * fpprint: floating point through printf and libm. Prints float, double and long double values
 * with %f, %e, %g and %a at several precisions, then the results of libm functions. musl formats
 * these with x87 (80-bit) arithmetic and its libm uses SSE and x87 instructions, so the output
 * is a byte-for-byte check of a CPU's floating point against the host's.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

static void doubles(const char *label, double x)
{
	printf("%-10s %f | %.3f | %e | %.10e | %g | %.17g | %a\n", label, x, x, x, x, x, x, x);
}

static void long_doubles(const char *label, long double x)
{
	printf("%-10s %Lf | %.20Le | %Lg | %.21Lg | %La\n", label, x, x, x, x, x);
}

int main(void)
{
	/* volatile keeps the compiler from folding the arithmetic at build time. */
	volatile double third = 1.0 / 3.0, big = 6.02214076e23, tiny = 1.0e-310;
	volatile float f = 3.14159265f;
	volatile long double lthird = 1.0L / 3.0L;

	printf("-- printf\n");
	doubles("0", 0.0);
	doubles("-0", -0.0);
	doubles("1/3", third);
	doubles("-2.5", -2.5);
	doubles("avogadro", big);
	doubles("denormal", tiny);
	doubles("DBL_MAX", DBL_MAX);
	doubles("DBL_EPS", DBL_EPSILON);
	doubles("float pi", f);
	printf("%-10s %f %e %g %F %E %G\n", "specials", INFINITY, -INFINITY, NAN, INFINITY, -INFINITY, NAN);
	printf("%-10s [%12.4f] [%-12.4e] [%+g] [% g] [%012.3f] [%#g]\n", "widths", third, big, third, third, -third, 2.0);
	printf("%-10s %.0f %.0f %.0f %.0f (ties to even)\n", "rounding", 0.5, 1.5, 2.5, -3.5);
	long_doubles("1/3 L", lthird);
	printf("%-10s %.20Le | %La\n", "LDBL_MAX", LDBL_MAX, LDBL_MAX);
	long_doubles("LDBL_EPS", LDBL_EPSILON);
	long_doubles("2^-16400", ldexpl(1.0L, -16400));

	printf("-- libm (double)\n");
	volatile double x = 0.7, y = 2.3;
	printf("sqrt(2)     %.17g\n", sqrt(2.0 * x / 0.7));
	printf("sin(0.7)    %.17g\n", sin(x));
	printf("cos(0.7)    %.17g\n", cos(x));
	printf("tan(0.7)    %.17g\n", tan(x));
	printf("atan2       %.17g\n", atan2(y, -x));
	printf("exp(2.3)    %.17g\n", exp(y));
	printf("log(2.3)    %.17g\n", log(y));
	printf("log10(2.3)  %.17g\n", log10(y));
	printf("pow         %.17g\n", pow(y, x));
	printf("fmod        %.17g\n", fmod(10.0 * y, x));
	printf("floor/ceil  %g %g %g %g\n", floor(-y), ceil(-y), round(y + 0.2), trunc(-y));
	printf("hypot       %.17g\n", hypot(3.0 * x, 4.0 * x));
	printf("cbrt        %.17g\n", cbrt(y));
	printf("sin(1e22)   %.17g\n", sin(1e22 * (x / 0.7)));

	printf("-- libm (float)\n");
	volatile float xf = 0.7f;
	printf("sqrtf/expf  %.9g %.9g\n", (double)sqrtf(xf), (double)expf(xf));
	printf("sinf/logf   %.9g %.9g\n", (double)sinf(xf), (double)logf(xf));

	printf("-- libm (long double)\n");
	volatile long double lx = 0.7L;
	printf("sqrtl(2)    %.21Lg\n", sqrtl(2.0L * lx / 0.7L));
	printf("expl(0.7)   %.21Lg\n", expl(lx));
	printf("logl(0.7)   %.21Lg\n", logl(lx));
	printf("sinl(0.7)   %.21Lg\n", sinl(lx));
	printf("powl        %.21Lg\n", powl(lx, 1.0L / 3.0L));

	printf("-- conversions\n");
	volatile double d = -1234567.890625;
	printf("(long)      %ld\n", (long)d);
	printf("(int)f      %d\n", (int)f);
	printf("(float)     %.9g\n", (double)(float)d);
	printf("llrint      %lld %lld\n", llrint(2.5), llrint(3.5));
	return 0;
}
