namespace Apo.Tasks.Synthetic;

/// <summary>An operation a synthetic word-problem step can use.</summary>
public enum ArithmeticOperation
{
    /// <summary>"She buys 5 more pens." → <c>a + b</c></summary>
    Add,

    /// <summary>"She gives 3 pens away." → <c>a - b</c> (results stay at least 1)</summary>
    Subtract,

    /// <summary>"She ends up with 3 times as many pens." → <c>a * b</c></summary>
    Multiply,
}
