namespace Apo.Algorithm.OptimalValues;

/// <summary>
/// exp(x) − 1 and log(1 + y) without the cancellation of the naive forms. .NET's
/// double.ExpM1 / double.LogP1 are computed naively, which loses every digit that matters
/// when β1 is large and the log-mean-exp is a tiny correction to the mean.
/// </summary>
internal static class StableMath
{
    /// <summary>exp(x) − 1, accurate for |x| near 0 (Kahan's correction).</summary>
    public static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1.0) return x;
        var um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        // (u − 1) is exact in floating point; the rounding error of exp(x) cancels in the ratio.
        return um1 * x / Math.Log(u);
    }

    /// <summary>log(1 + y), accurate for |y| near 0 (Goldberg's correction).</summary>
    public static double LogP1(double y)
    {
        var u = 1.0 + y;
        if (u == 1.0) return y;
        if (double.IsPositiveInfinity(u)) return u;
        return Math.Log(u) * y / (u - 1.0);
    }
}
