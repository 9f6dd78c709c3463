using System.Globalization;
using System.Text.RegularExpressions;
using Clippings.Archive;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// Dates the question names ("in 1788", "December 1787", "27 October 1787", "the 1750s", "since 2020", "between 1820 and 1825")
/// become one inclusive range at the precision the reader used; their words are claimed, so no later step reads a year as a
/// number or a topic.
/// </summary>
public sealed partial class DateRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var (from, to, spans, precision) = FindDates(draft.Text);
        foreach (var (start, end) in spans)
        {
            draft.Claim(start, end, nameof(DateRecogniser));
        }

        if (from is not null || to is not null)
        {
            draft.Dates = new DateScope(from, to, precision, spans.Select(s => draft.Text[s.Start..s.End]).ToList());
        }
    }

    /// <summary>Dates named in the question → an inclusive range, plus where they stand in the text.</summary>
    internal static (DateOnly? From, DateOnly? To, List<(int Start, int End)> Spans, DatePrecision Precision) FindDates(string text)
    {
        var spans = new List<(int, int)>();
        DateOnly? from = null, to = null;
        var precision = DatePrecision.Year;

        void Take(Match m, DateOnly? f, DateOnly? t, DatePrecision p = DatePrecision.Year)
        {
            spans.Add((m.Index, m.Index + m.Length));
            precision = p < precision ? p : precision;
            if (f is not null)
            {
                from = from is null || f < from ? f : from;
            }

            if (t is not null)
            {
                to = to is null || t > to ? t : to;
            }
        }

        var between = BetweenYears().Match(text);
        if (between.Success)
        {
            var a = Year(between.Groups["a"].Value);
            var b = Year(between.Groups["b"].Value);
            Take(between, new DateOnly(Math.Min(a, b), 1, 1), new DateOnly(Math.Max(a, b), 12, 31));
            return (from, to, spans, precision);
        }

        foreach (Match m in DayMonthYear().Matches(text))
        {
            if (TryDay(m.Groups["d"].Value, m.Groups["m"].Value, m.Groups["y"].Value, out var day))
            {
                Take(m, day, day, DatePrecision.Day);
            }
        }

        foreach (Match m in MonthDayYear().Matches(text))
        {
            if (!Overlaps(spans, m) && TryDay(m.Groups["d"].Value, m.Groups["m"].Value, m.Groups["y"].Value, out var day))
            {
                Take(m, day, day, DatePrecision.Day);
            }
        }

        foreach (Match m in HolidayYear().Matches(text))
        {
            var year = Year(m.Groups["y"].Value);
            var day = m.Groups["h"].Value.StartsWith("Christmas", StringComparison.OrdinalIgnoreCase) ? new DateOnly(year, 12, 25) : new DateOnly(year, 1, 1);
            Take(m, day, day, DatePrecision.Day);
        }

        foreach (Match m in MonthYear().Matches(text))
        {
            if (Overlaps(spans, m))
            {
                continue;
            }

            var month = MonthNumber(m.Groups["m"].Value);
            var year = Year(m.Groups["y"].Value);
            if (month > 0)
            {
                var first = new DateOnly(year, month, 1);
                Take(m, first, first.AddMonths(1).AddDays(-1), DatePrecision.Month);
            }
        }

        // "early 2018", "the summer of 1711", "late 2019": part of a year, at month precision.
        foreach (Match m in PartOfYear().Matches(text))
        {
            if (Overlaps(spans, m))
            {
                continue;
            }

            var year = Year(m.Groups["y"].Value);
            var part = Regex.Replace(m.Groups["part"].Value.ToLowerInvariant(), @"^the\s+|\s+of$", "");
            var (first, last) = part switch
            {
                "early" or "start" or "beginning" => (new DateOnly(year, 1, 1), new DateOnly(year, 4, 30)),
                "mid" or "middle" => (new DateOnly(year, 5, 1), new DateOnly(year, 8, 31)),
                "late" or "end" => (new DateOnly(year, 9, 1), new DateOnly(year, 12, 31)),
                "first half" => (new DateOnly(year, 1, 1), new DateOnly(year, 6, 30)),
                "second half" => (new DateOnly(year, 7, 1), new DateOnly(year, 12, 31)),
                "spring" => (new DateOnly(year, 3, 1), new DateOnly(year, 5, 31)),
                "summer" => (new DateOnly(year, 6, 1), new DateOnly(year, 8, 31)),
                "autumn" or "fall" => (new DateOnly(year, 9, 1), new DateOnly(year, 11, 30)),

                // Winter 2019 is the winter that ends in 2019 (December 2018 to February).
                _ => (new DateOnly(year - 1, 12, 1), new DateOnly(year, 3, 1).AddDays(-1)),
            };
            Take(m, first, last, DatePrecision.Month);
        }

        foreach (Match m in Decade().Matches(text))
        {
            var start = Year(m.Groups["d"].Value + "0");
            Take(m, new DateOnly(start, 1, 1), new DateOnly(start + 9, 12, 31));
        }

        foreach (Match m in RelativeYear().Matches(text))
        {
            if (Overlaps(spans, m))
            {
                continue;
            }

            var year = Year(m.Groups["y"].Value);
            switch (m.Groups["rel"].Value.ToLowerInvariant())
            {
                case "before":
                case "prior to":
                    spans.Add((m.Index, m.Index + m.Length));
                    to = new DateOnly(year - 1, 12, 31);
                    break;
                case "until":
                case "up to":
                case "through":
                case "by":
                    spans.Add((m.Index, m.Index + m.Length));
                    to = new DateOnly(year, 12, 31);
                    break;
                case "after":
                    spans.Add((m.Index, m.Index + m.Length));
                    from = new DateOnly(year + 1, 1, 1);
                    break;
                case "since":
                case "from":
                    spans.Add((m.Index, m.Index + m.Length));
                    from = new DateOnly(year, 1, 1);
                    break;
                default:
                    Take(m, new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
                    break;
            }
        }

        return (from, to, spans, precision);
    }

    private static bool Overlaps(List<(int Start, int End)> spans, Match m) =>
        spans.Any(s => m.Index < s.End && m.Index + m.Length > s.Start);

    private static int Year(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static int MonthNumber(string name)
    {
        var lower = name.ToLowerInvariant().TrimEnd('.');
        for (var i = 0; i < QuestionWords.MonthNames.Length; i++)
        {
            if (QuestionWords.MonthNames[i].StartsWith(lower, StringComparison.Ordinal) && lower.Length >= 3)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static bool TryDay(string d, string m, string y, out DateOnly day)
    {
        day = default;
        var month = MonthNumber(m);
        var dayNumber = int.Parse(d, CultureInfo.InvariantCulture);
        var year = Year(y);
        if (month == 0 || dayNumber < 1 || dayNumber > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        day = new DateOnly(year, month, dayNumber);
        return true;
    }

    private const string MonthPattern = @"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";

    [GeneratedRegex(@"\bbetween\s+(?<a>1[0-9]{3}|20[0-9]{2})\s+and\s+(?<b>1[0-9]{3}|20[0-9]{2})\b|\b(?<a>1[0-9]{3}|20[0-9]{2})\s*(?:-|–|—|to)\s*(?<b>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex BetweenYears();

    [GeneratedRegex(@"\b(?<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<m>" + MonthPattern + @")\s*,?\s+(?<y>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b(?<m>" + MonthPattern + @")\s+(?<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(?<y>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\b(?<h>Christmas Day|Christmas|New Year's Day)\s*,?\s+(?:of\s+)?(?<y>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex HolidayYear();

    [GeneratedRegex(@"\b(?<m>" + MonthPattern + @")\s*,?\s+(?:of\s+)?(?<y>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthYear();

    [GeneratedRegex(@"\b(?:in\s+|during\s+|from\s+)?(?<part>early|mid|late|the\s+(?:start|beginning|middle|end|first\s+half|second\s+half)\s+of|(?:the\s+)?(?:spring|summer|autumn|fall|winter)(?:\s+of)?)[\s-]+(?<y>1[0-9]{3}|20[0-9]{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex PartOfYear();

    [GeneratedRegex(@"\bthe\s+(?<d>1[0-9]{2}|20[0-9])0'?s\b", RegexOptions.IgnoreCase)]
    private static partial Regex Decade();

    // Bare years are not dates here ("the War of 1812" is a topic): only years introduced by a date word.
    [GeneratedRegex(@"\b(?<rel>before|prior to|until|up to|through|after|since|from|in|during|by|of the year|printed in|published in)\s+(?:the\s+year\s+)?(?<y>1[0-9]{3}|20[0-9]{2})\b(?!\s*(?:-|–)\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex RelativeYear();
}
