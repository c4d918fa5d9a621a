namespace Apo.Tasks.Tests.Data;

/// <summary>Realistic rows in the shapes the public datasets use (GSM8K test/train, MATH, verl output).</summary>
internal static class SampleRows
{
    public const string NataliaQuestion =
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?";

    public const string NataliaAnswer =
        "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72";

    public const string Gsm8kNatalia =
        """{"question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?", "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"}""";

    public const string Gsm8kThousands =
        """{"question": "A car costs $1,000 and its tax is 25% of that. What is the total?", "answer": "Tax is 1000*0.25 = <<1000*0.25=250>>250.\nTotal is 1000+250 = <<1000+250=1250>>1250.\n#### 1,250"}""";

    public const string MathSqrt =
        """{"problem": "What is the value of $\\sqrt{36 \\times \\sqrt{16}}$?", "level": "Level 1", "type": "Prealgebra", "solution": "Calculating from the inside out, $$\\sqrt{36 \\times \\sqrt{16}} = \\sqrt{36 \\times 4} = \\sqrt{144} = \\boxed{12}.$$"}""";

    public const string MathFraction =
        """{"problem": "If $2x = 1$, what is $x$?", "level": "Level 1", "type": "Algebra", "solution": "Dividing both sides by 2 (not $\\boxed{2}$) gives $x = \\boxed{\\frac{1}{2}}$."}""";

    public const string Math500WithAnswer =
        """{"problem": "Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.", "solution": "We have that $r = 3$ ... $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$", "answer": "\\left( 3, \\frac{\\pi}{2} \\right)", "subject": "Precalculus", "level": 2, "unique_id": "test/precalculus/807.json"}""";

    /// <summary>A row as verl's examples/data_preprocess/gsm8k.py writes it.</summary>
    public static string VerlGsm8k(int index, string question, string answer, string truth) =>
        "{\"data_source\": \"openai/gsm8k\", \"prompt\": [{\"role\": \"user\", \"content\": " +
        Json(question + " Let's think step by step and output the final answer after \"####\".") +
        "}], \"ability\": \"math\", \"reward_model\": {\"style\": \"rule\", \"ground_truth\": " + Json(truth) +
        "}, \"extra_info\": {\"split\": \"train\", \"index\": " + index + ", \"answer\": " + Json(answer) +
        ", \"question\": " + Json(question) + "}}";

    public static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
