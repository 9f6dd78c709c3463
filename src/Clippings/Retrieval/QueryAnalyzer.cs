using System.Globalization;
using System.Text.RegularExpressions;
using Clippings.Archive;
using Clippings.Storage;
using Clippings.Text;

namespace Clippings.Retrieval;

/// <summary>
/// Query understanding without a chat model: finds the authors, dates, sections/publications and articles a
/// question names, what kind of answer it wants, and turns them into filters and boosts.
/// </summary>
public sealed partial class QueryAnalyzer
{
    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Words that name a kind of piece rather than a topic ("which essays…").</summary>
    private static readonly HashSet<string> PieceWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "paper", "papers", "essay", "essays", "article", "articles", "piece", "pieces", "column", "columns", "number", "numbers",
        "issue", "issues", "story", "stories", "post", "posts", "letter", "letters", "work", "works", "writing", "writings",
    };

    /// <summary>Words that carry no topic in listing questions; what remains after removing them is the topic.</summary>
    private static readonly HashSet<string> ScopeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "which", "what", "list", "show", "name", "all", "every", "archive", "archives", "published", "publish", "printed", "print",
        "appeared", "appear", "written", "wrote", "write", "writes", "credited", "attributed", "jointly", "together", "first",
        "came", "come", "out", "ran", "run", "were", "was", "are", "is", "in", "the", "by", "of", "during", "from", "to", "and",
        "did", "does", "do", "have", "has", "we", "our", "you", "there", "any", "on", "between", "before", "after", "since", "until",
        "year", "years", "month", "day", "date", "dates", "when", "where", "who", "whom", "for", "me", "give", "find", "tell",
        "paper", "papers", "essay", "essays", "article", "articles", "piece", "pieces", "column", "columns", "numbers", "issues",
        "magazine", "newspaper", "series", "about", "this", "that", "these", "those", "a", "an", "s", "its", "their", "his", "her",
        "many", "much", "how", "contributed", "contribution", "contributions", "authored", "co", "both", "together", "with",
        "else", "here", "us", "blog", "site", "ever", "anything", "everything", "post", "posts", "review", "reviews", "entry", "entries",
        "first", "earliest", "oldest", "last", "final", "latest", "newest", "most", "recent", "recently", "piece", "story", "work", "ones",
        "column", "publication", "publications", "journal", "s", "has", "had", "been", "put", "them", "thing", "things", "stuff",
    };

    public QueryPlan Analyze(string question, ArchiveCatalog catalog, SearchFilter? callerFilter = null, string? scopedArticleId = null)
    {
        var text = Normalize(question);
        var (dateFrom, dateTo, dateSpans) = FindDates(text);
        var notes = new List<string>();
        var nameMatches = NameRecogniser.Find(text, catalog);
        foreach (var corrected in nameMatches.Where(m => m.Corrected))
        {
            notes.Add($"Reading “{corrected.Typed}” as {corrected.Author}.");
        }

        var authors = nameMatches.Select(m => m.Author).ToList();

        // "Pieces that mention X (apart from X's own)": X is searched in the text, not used as a byline filter.
        string? mentioned = null;
        IReadOnlyList<string> excluded = [];
        var mention = MentionQuestion().Match(text);
        if (mention.Success)
        {
            var who = nameMatches.FirstOrDefault(m => m.Start >= mention.Groups["name"].Index - 1);
            mentioned = who?.Author ?? mention.Groups["name"].Value.Trim(' ', ',', '?', '.');
            if (who is not null)
            {
                authors = authors.Where(a => !string.Equals(a, who.Author, StringComparison.OrdinalIgnoreCase)).ToList();
                if (ExcludeOwnWords().IsMatch(text))
                {
                    excluded = [who.Author];
                }
            }
        }

        var order = FindOrder(text);
        var authorByRole = authors.Count == 0 && WhoWritesQuestion().IsMatch(text) ? FindAuthorByBio(text, catalog) : null;
        if (authorByRole is not null)
        {
            authors = [authorByRole];
        }

        string? premise = null;
        var column = WhoWritesColumn().Match(text);
        if (authorByRole is null && authors.Count == 0 && column.Success && FindSections(text, catalog).Count == 0)
        {
            premise = $"The archive has no {column.Groups["what"].Value.Trim()} {column.Groups["kind"].Value}: none of its authors' notes or sections mention one.";
        }

        var sections = FindSections(text, catalog);
        var (seriesNumbers, seriesArticles, missingArticle) = FindSeriesArticles(SeriesText(text, catalog), catalog, sections);
        var titleArticles = FindQuotedTitles(text, catalog);
        var named = seriesArticles.Concat(titleArticles).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        premise ??= UnknownByline(text, nameMatches, catalog) ?? FutureYear(text, catalog);
        var requireAll = authors.Count > 1 && JointlyWords().IsMatch(text);
        string? topic = null;
        var intent = authorByRole is not null
            ? QuestionIntent.AuthorProfile
            : AuthorListQuestion().IsMatch(text) && authors.Count == 0
                ? QuestionIntent.AuthorList
                : DetectIntent(text, catalog, authors, nameMatches.Select(m => m.Typed).ToList(), sections, dateFrom is not null || dateTo is not null, named.Count > 0, dateSpans, order, out topic);
        if (mentioned is not null && intent is QuestionIntent.ArticleList or QuestionIntent.AuthorProfile)
        {
            intent = QuestionIntent.Passages;
        }

        var asksMetadata = MetadataQuestion().IsMatch(text) && !AuthorListQuestion().IsMatch(text);

        // A conversation opened from an article page stays on that article unless the question widens it.
        var scope = scopedArticleId is not null && !WideningWords().IsMatch(text) && named.Count == 0 && intent is QuestionIntent.Passages or QuestionIntent.AuthorProfile
            ? scopedArticleId
            : null;

        var filter = callerFilter ?? SearchFilter.None;
        var hasDateScope = dateFrom is not null || dateTo is not null;
        if (hasDateScope)
        {
            // One home for the date premise: outside the span of what is asked about, refuse; inside it but empty, relax and say so.
            var scoped = catalog.Articles.Where(a => a.Published is not null
                && (authors.Count == 0 || a.Authors.Any(n => authors.Contains(n, StringComparer.OrdinalIgnoreCase)))).ToList();
            var inRange = scoped.Count(a => (dateFrom is null || a.Published >= dateFrom) && (dateTo is null || a.Published <= dateTo));
            if (inRange == 0 && scoped.Count > 0)
            {
                var first = scoped.Min(a => a.Published)!.Value;
                var last = scoped.Max(a => a.Published)!.Value;
                var who = authors.Count > 0 ? $"{string.Join(" and ", authors)}'s pieces in the archive run" : "The archive runs";
                var range = DescribeRange(dateFrom, dateTo);
                if ((dateTo is not null && dateTo < first) || (dateFrom is not null && dateFrom > last))
                {
                    premise ??= $"{who} from {first.Year} to {last.Year}; there is nothing {range}.";
                }

                // Inside the span but empty: the retriever relaxes the dates when the search finds nothing, and says so.
            }

            filter = filter with { From = filter.From ?? dateFrom, To = filter.To ?? dateTo };
        }

        // Named articles are searched directly; authors and sections named beside them are redundant filters.
        if (named.Count > 0)
        {
            filter = filter with { ArticleIds = filter.ArticleIds ?? named };
        }
        else
        {
            if (authors.Count > 0 && filter.Authors is null)
            {
                filter = filter with { Authors = authors };
            }

            if (sections.Count > 0 && filter.Sections is null)
            {
                filter = filter with { Sections = sections };
            }
        }

        return new QueryPlan
        {
            Question = question,
            SearchText = text,
            Intent = intent,
            Filter = filter,
            Authors = authors,
            Sections = sections,
            Topic = topic,
            SeriesNumbers = seriesNumbers,
            NamedArticleIds = named,
            MissingArticle = missingArticle,
            RequireAllAuthors = requireAll,
            AsksForMetadata = asksMetadata,
            HasDateScope = hasDateScope && (dateFrom is not null || dateTo is not null),
            ScopedArticleId = scope,
            Order = order,
            PremiseProblem = premise,
            Notes = notes,
            MentionedName = mentioned,
            ExcludedAuthors = excluded,
            TypedNames = nameMatches.Select(m => m.Typed).ToList(),
        };
    }

    private static string WithoutPossessives(string text) =>
        Regex.Replace(text, @"(?<=\w)['’]s\b|(?<=s)['’](?!\w)", "", RegexOptions.CultureInvariant);

    /// <summary>"federalist no. 90" typed in lowercase reads as "Federalist No. 90" for the series matcher.</summary>
    private static string SeriesText(string text, ArchiveCatalog catalog)
    {
        var result = Regex.Replace(text, @"\bno\.\s*(?=\d)", "No. ", RegexOptions.CultureInvariant);
        foreach (var core in catalog.SectionNames.Select(CoreName).Where(c => c.Length >= 4 && !c.Contains(' ', StringComparison.Ordinal)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            result = Regex.Replace(result, @"\b" + Regex.Escape(core) + @"(?='s|,?\s+Nos?\.)", core, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        }

        return result;
    }

    /// <summary>"essays by jane austen": a two-word byline that is no author of the archive is a premise it cannot meet.</summary>
    private static string? UnknownByline(string text, IReadOnlyList<NameMatch> names, ArchiveCatalog catalog)
    {
        var match = ByNamedPerson().Match(text);
        if (!match.Success || names.Any(n => n.Start >= match.Groups["name"].Index - 1))
        {
            return null;
        }

        var words = match.Groups["name"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Any(w => ScopeWords.Contains(w) || MonthNames.Contains(w.ToLowerInvariant()) || w.Length < 2)
            || catalog.SectionNames.Any(n => CoreName(n).Contains(words[0], StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var name = string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        var known = catalog.Authors.OrderByDescending(a => a.ArticleCount).Take(3).Select(a => a.Name).ToList();
        return $"No one named {name} writes in the archive" + (known.Count > 0 ? $"; its most frequent authors are {string.Join(", ", known)}." : ".");
    }

    /// <summary>A year after the archive's newest piece ("gophercon 2030") is an event it cannot have covered.</summary>
    private static string? FutureYear(string text, ArchiveCatalog catalog)
    {
        var last = catalog.Articles.Where(a => a.Published is not null).Select(a => a.Published!.Value).DefaultIfEmpty().Max();
        if (last == default)
        {
            return null;
        }

        foreach (Match m in BareYear().Matches(text))
        {
            var year = int.Parse(m.Value, CultureInfo.InvariantCulture);
            if (year > last.Year)
            {
                return $"The archive's newest piece is from {last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}, so it has nothing on {year}.";
            }
        }

        return null;
    }

    /// <summary>"in 2017", "from March 2020 to June 2021", "before 1712": for telling the reader what was searched.</summary>
    internal static string DescribeRange(DateOnly? from, DateOnly? to)
    {
        static string D(DateOnly d) => d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        if (from is { } f && to is { } t)
        {
            if (f.Month == 1 && f.Day == 1 && t.Month == 12 && t.Day == 31)
            {
                return f.Year == t.Year ? $"from {f.Year}" : $"from {f.Year} to {t.Year}";
            }

            return $"from {D(f)} to {D(t)}";
        }

        return from is { } a ? $"after {D(a.AddDays(-1))}" : to is { } b ? $"before {D(b.AddDays(1))}" : "";
    }

    /// <summary>"The first / earliest / oldest" and "the last / final / latest / most recent / newest".</summary>
    internal static DateOrder FindOrder(string text)
    {
        // "When did X first appear?" asks for a date, not for the oldest piece.
        var cleaned = FirstAppeared().Replace(text, " ");
        if (NewestWords().IsMatch(cleaned))
        {
            return DateOrder.NewestFirst;
        }

        return OldestWords().IsMatch(cleaned) ? DateOrder.OldestFirst : DateOrder.None;
    }

    internal static string Normalize(string question)
    {
        var text = question.Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201c', '"').Replace('\u201d', '"').Replace('\u00a0', ' ');
        return WhiteSpace().Replace(text, " ").Trim();
    }

    /// <summary>
    /// "Who writes the food column?": the author whose bio shares the most of the question's words, when it
    /// clearly shares more than any other (at least two words).
    /// </summary>
    private static string? FindAuthorByBio(string text, ArchiveCatalog catalog)
    {
        var terms = LexicalAnalyzer.Analyze(text).Where(t => t is not "writ" and not "write" and not "wrote").ToHashSet(StringComparer.Ordinal);
        var scored = catalog.Authors.Where(a => !string.IsNullOrWhiteSpace(a.Bio))
            .Select(a => (a.Name, Score: LexicalAnalyzer.Analyze(a.Bio!).Distinct(StringComparer.Ordinal).Count(terms.Contains)))
            .OrderByDescending(a => a.Score).Take(2).ToList();
        return scored.Count > 0 && scored[0].Score >= 2 && (scored.Count == 1 || scored[0].Score > scored[1].Score) ? scored[0].Name : null;
    }

    private static QuestionIntent DetectIntent(string text, ArchiveCatalog catalog, IReadOnlyList<string> authors, IReadOnlyList<string> typedNames, IReadOnlyList<string> sections, bool hasDates, bool namesArticles, List<(int Start, int End)> dateSpans, DateOrder order, out string? topic)
    {
        topic = null;
        var coverage = CoverageQuestion().Match(text);
        if (coverage.Success)
        {
            topic = TopicTail().Replace(coverage.Groups["topic"].Value.Trim(' ', '?', '.', '!'), "").Trim();
            return QuestionIntent.Coverage;
        }

        if (authors.Count > 0 && !namesArticles && AuthorProfileQuestion().IsMatch(text) && !WrittenByQuestion().IsMatch(text))
        {
            return QuestionIntent.AuthorProfile;
        }

        // "What else has X written here?", "the first piece by X", "pieces since 2025": a listing when no topic is left.
        var listing = ListingQuestion().IsMatch(text) || WrittenByQuestion().IsMatch(text) || order != DateOrder.None || (hasDates && BarePiecesQuestion().IsMatch(text));
        if (listing && !namesArticles && (authors.Count > 0 || sections.Count > 0 || hasDates || order != DateOrder.None))
        {
            // A listing by metadata only when nothing topical is left once the scope words are removed.
            var withoutDates = text;
            foreach (var (start, end) in dateSpans.OrderByDescending(s => s.Start))
            {
                withoutDates = withoutDates.Remove(start, end - start);
            }

            // Every name the catalog knows is scope, not topic ("Federalist papers in The New-York Packet").
            var nameWords = authors.Concat(typedNames).Concat(sections).Concat(catalog.SectionNames).Concat(catalog.AuthorAliases.Keys)
                .SelectMany(n => LexicalAnalyzer.Tokenize(n).Concat(LexicalAnalyzer.Tokenize(WithoutPossessives(n)))).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // The tokenizer joins "cox's" into "coxs": possessives go first so the name is recognised as scope.
            withoutDates = WithoutPossessives(withoutDates);
            var remaining = LexicalAnalyzer.Tokenize(withoutDates)
                .Where(t => !ScopeWords.Contains(t) && !nameWords.Contains(t) && !MonthNames.Contains(t) && !t.All(char.IsDigit) && t.Length > 1)
                .ToList();
            if (remaining.Count == 0)
            {
                return QuestionIntent.ArticleList;
            }
        }

        return QuestionIntent.Passages;
    }

    private static List<string> FindSections(string text, ArchiveCatalog catalog)
    {
        var matches = new List<(string Name, int Length, bool IsPublication)>();
        var publications = catalog.Articles.Select(a => a.Publication).Where(p => p is not null).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in catalog.SectionNames)
        {
            var core = CoreName(name);
            if (core.Length < 4)
            {
                continue;
            }

            // Capitalised match: "the Spectator" the paper, not "a spectator". In lowercase, a name of several words
            // ("council watch") is still the name, and one word is when it stands as one ("the last rambler essay").
            var pattern = @"(?<![\w-])" + Regex.Escape(core) + @"(?![\w-])";
            if (Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant)
                || (core.Contains(' ', StringComparison.Ordinal) && Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase))
                || Regex.IsMatch(text, @"\b(the|last|first|final|latest|earliest|newest|oldest|in)\s+" + Regex.Escape(core) + @"(?:'s)?\s+(paper|papers|essay|essays|column|columns|piece|pieces|post|posts|number|numbers|issue|issues|here)\b|\bin\s+the\s+" + Regex.Escape(core) + @"\b|\b(for|in|from|of)\s+the\s+" + Regex.Escape(core) + @"\s*[?.!]*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase))
            {
                matches.Add((name, core.Length, publications.Contains(name)));
            }
        }

        // Drop names contained in a longer matched name ("London Magazine" inside "New London Magazine").
        var kept = matches.Where(m => !matches.Any(o => o.Length > m.Length && CoreName(o.Name).Contains(CoreName(m.Name), StringComparison.Ordinal))).ToList();

        // "Federalist" names both a section and an edition's publication: the section (the broader name) is meant.
        kept = kept.Where(k => !(k.IsPublication && !IsAlsoSection(k.Name, catalog)
            && kept.Any(o => o.Name != k.Name && IsAlsoSection(o.Name, catalog) && CoreName(o.Name).Equals(CoreName(k.Name), StringComparison.OrdinalIgnoreCase)))).ToList();

        // A named publication is more specific than a section: "Federalist papers in The New-York Packet" means the Packet.
        if (kept.Any(k => k.IsPublication && !IsAlsoSection(k.Name, catalog)) && kept.Any(k => IsAlsoSection(k.Name, catalog)))
        {
            kept = kept.Where(k => k.IsPublication && !IsAlsoSection(k.Name, catalog)).ToList();
        }

        return kept.Select(k => k.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static bool IsAlsoSection(string name, ArchiveCatalog catalog) =>
        catalog.Articles.Any(a => string.Equals(a.Section, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"The Spectator" → "Spectator"; "The Federalist (J. &amp; A. McLean edition, vol. II)" → "Federalist".</summary>
    internal static string CoreName(string name)
    {
        var core = name;
        var paren = core.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            core = core[..paren];
        }

        core = core.Trim();
        if (core.StartsWith("The ", StringComparison.OrdinalIgnoreCase))
        {
            core = core[4..];
        }

        return core.Trim();
    }

    private static (List<int> Numbers, List<string> Articles, string? Missing) FindSeriesArticles(string text, ArchiveCatalog catalog, IReadOnlyList<string> sections)
    {
        var numbers = new List<(int Number, string? Series)>();
        foreach (Match match in SeriesReference().Matches(text))
        {
            var series = match.Groups["series"].Success ? match.Groups["series"].Value : null;
            foreach (Capture capture in match.Groups["n"].Captures)
            {
                numbers.Add((int.Parse(capture.Value, CultureInfo.InvariantCulture), series));
            }
        }

        foreach (Match match in OrdinalFirstReference().Matches(text))
        {
            numbers.Add((1, match.Groups["series"].Success ? match.Groups["series"].Value : null));
        }

        var articles = new List<string>();
        string? missing = null;
        foreach (var (number, series) in numbers)
        {
            var candidates = catalog.SeriesNumbers[number].ToList();
            var seriesName = series ?? sections.Select(CoreName).FirstOrDefault();
            if (seriesName is not null)
            {
                var seriesCore = CoreName(seriesName);
                candidates = candidates.Where(a => a.Title.Contains(seriesCore, StringComparison.OrdinalIgnoreCase)
                    || CoreName(a.Section ?? "").Equals(seriesCore, StringComparison.OrdinalIgnoreCase)
                    || CoreName(a.Publication ?? "").Equals(seriesCore, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            if (candidates.Count == 0)
            {
                if (seriesName is not null && catalog.Articles.Any(a => a.Title.Contains(CoreName(seriesName), StringComparison.OrdinalIgnoreCase)))
                {
                    missing ??= $"{CoreName(seriesName)} No. {number}";
                }

                continue;
            }

            if (candidates.Count <= 3)
            {
                articles.AddRange(candidates.Select(c => c.Id));
            }
        }

        return (numbers.Select(n => n.Number).Distinct().ToList(), articles.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), articles.Count == 0 ? missing : null);
    }

    private static List<string> FindQuotedTitles(string text, ArchiveCatalog catalog)
    {
        var found = new List<string>();
        foreach (Match match in QuotedPhrase().Matches(text))
        {
            var quoted = match.Groups["q"].Value.Trim();
            if (quoted.Length < 3)
            {
                continue;
            }

            var quotedTerms = LexicalAnalyzer.Analyze(quoted);
            if (quotedTerms.Count == 0)
            {
                continue;
            }

            foreach (var article in catalog.Articles)
            {
                var title = ArchiveCatalog.StripSeriesPrefix(article.Title).Trim();
                if (string.Equals(title, quoted, StringComparison.OrdinalIgnoreCase)
                    || (quoted.Length >= 8 && title.StartsWith(quoted, StringComparison.OrdinalIgnoreCase))
                    || (catalog.TitleTerms.TryGetValue(article.Id, out var terms) && terms.Count > 0 && terms.Count <= quotedTerms.Count + 1
                        && quotedTerms.All(terms.Contains) && terms.All(quotedTerms.Contains)))
                {
                    found.Add(article.Id);
                }
            }
        }

        return found.Count <= 5 ? found : [];
    }

    /// <summary>Dates named in the question → an inclusive range, plus where they stand in the text.</summary>
    internal static (DateOnly? From, DateOnly? To, List<(int Start, int End)> Spans) FindDates(string text)
    {
        var spans = new List<(int, int)>();
        DateOnly? from = null, to = null;

        void Take(Match m, DateOnly? f, DateOnly? t)
        {
            spans.Add((m.Index, m.Index + m.Length));
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
            return (from, to, spans);
        }

        foreach (Match m in DayMonthYear().Matches(text))
        {
            if (TryDay(m.Groups["d"].Value, m.Groups["m"].Value, m.Groups["y"].Value, out var day))
            {
                Take(m, day, day);
            }
        }

        foreach (Match m in MonthDayYear().Matches(text))
        {
            if (!Overlaps(spans, m) && TryDay(m.Groups["d"].Value, m.Groups["m"].Value, m.Groups["y"].Value, out var day))
            {
                Take(m, day, day);
            }
        }

        foreach (Match m in HolidayYear().Matches(text))
        {
            var year = Year(m.Groups["y"].Value);
            var day = m.Groups["h"].Value.StartsWith("Christmas", StringComparison.OrdinalIgnoreCase) ? new DateOnly(year, 12, 25) : new DateOnly(year, 1, 1);
            Take(m, day, day);
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
                Take(m, first, first.AddMonths(1).AddDays(-1));
            }
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

        return (from, to, spans);
    }

    private static bool Overlaps(List<(int Start, int End)> spans, Match m) =>
        spans.Any(s => m.Index < s.End && m.Index + m.Length > s.Start);

    private static int Year(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static int MonthNumber(string name)
    {
        var lower = name.ToLowerInvariant().TrimEnd('.');
        for (var i = 0; i < MonthNames.Length; i++)
        {
            if (MonthNames[i].StartsWith(lower, StringComparison.Ordinal) && lower.Length >= 3)
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

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"\s+(before|already|previously|in\s+the\s+past|ever|yet|so\s+far|lately|recently)$", RegexOptions.IgnoreCase)]
    private static partial Regex TopicTail();

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

    [GeneratedRegex(@"\bthe\s+(?<d>1[0-9]{2}|20[0-9])0'?s\b", RegexOptions.IgnoreCase)]
    private static partial Regex Decade();

    // Bare years are not dates here ("the War of 1812" is a topic): only years introduced by a date word.
    [GeneratedRegex(@"\b(?<rel>before|prior to|until|up to|through|after|since|from|in|during|by|of the year|printed in|published in)\s+(?:the\s+year\s+)?(?<y>1[0-9]{3}|20[0-9]{2})\b(?!\s*(?:-|–)\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex RelativeYear();

    [GeneratedRegex(@"(?:(?<series>[A-Z][\w-]+)(?:'s)?,?\s+)?\bNos?\.?\s*(?<n>\d{1,4})(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+or\s+)(?:Nos?\.?\s*)?(?<n>\d{1,4}))*", RegexOptions.CultureInvariant)]
    private static partial Regex SeriesReference();

    [GeneratedRegex(@"\b(?:very\s+)?first\s+(?:number|issue|paper|essay)\s+of\s+(?:[Tt]he\s+)?(?<series>[A-Z][\w-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalFirstReference();

    [GeneratedRegex("(?:^|[\\s(])['\"](?<q>[^'\"]{3,120}?)['\"](?=[\\s,.?!;:)]|$)")]
    internal static partial Regex QuotedPhrase();

    [GeneratedRegex(@"\b(jointly|together|co-?authored|co-?wrote|both\s+\w+\s+and)\b", RegexOptions.IgnoreCase)]
    private static partial Regex JointlyWords();

    [GeneratedRegex(@"\b(what|anything|something)\s+(have|has|did)\s+(we|you|the\s+\w+|this\s+\w+)\s+(said|written|published|run|covered|printed)\s+(about|on)\s+(?<topic>.+)|\b(have|has|did)\s+(we|you|the\s+\w+|this\s+\w+)\s+(already\s+|ever\s+)?(written|published|run|covered|printed|said\s+anything)\s+(a\s+piece\s+|anything\s+|an\s+article\s+|an\s+essay\s+)?(about|on)\s+(?<topic>.+)|\b(past|previous|earlier)\s+coverage\s+(of|on|about)\s+(?<topic>.+)|\bour\s+(pieces|articles|coverage|essays)\s+(on|about)\s+(?<topic>.+)|\bfind\s+(our\s+)?(pieces|articles|essays|columns)\s+(on|about)\s+(?<topic>.+)", RegexOptions.IgnoreCase)]
    private static partial Regex CoverageQuestion();

    [GeneratedRegex(@"\bwho\s+(is|was|were)\b(?!.*\b(wrote|write|author of)\b)|\btell\s+me\s+about\b|\b(biography|bio|life|career|background|born|died|death|later\s+life)\b|\bwent\s+on\s+to\b|\bgo\s+on\s+to\b|\bwhat\s+(post|office|position|job|role)\b|\bwhat\s+do\s+(you|we)\s+know\s+about\b|\b(pen[\s-]?name|pseudonym|nom\s+de\s+plume|real\s+name|wrote\s+under|signed\s+(his|her|their))\b|\babout\s+the\s+author\b|\bwho\s+is\s+the\s+author\b", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorProfileQuestion();

    [GeneratedRegex(@"^\s*(which|what|list|show|name|give\s+me|find)\b.*?\b(papers?|essays?|articles?|pieces?|columns?|numbers|issues|posts|works|writings)\b|\blist\b", RegexOptions.IgnoreCase)]
    private static partial Regex ListingQuestion();

    [GeneratedRegex(@"^\s*who\s+(writes|wrote|covers|covered|reviews|edits|is|was)\b(?!.*\b(No\.|Nos\.)\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex WhoWritesQuestion();

    [GeneratedRegex(@"\b(who\s+(writes|wrote|has\s+written|contributes|contributed|blogs|posts)\s+(for|in|on|to|here|at)\b|who\s+(are|were)\s+(the|your|its|our|all\s+the)\s+(writers|authors|columnists|contributors|critics|reviewers|bloggers)|\b(list|name|show)\s+(me\s+)?(the|all|your|its)?\s*(writers|authors|columnists|contributors)\b|\bwho\s+writes\s+here)", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorListQuestion();

    [GeneratedRegex(@"\b(essays|pieces|articles|posts|papers|columns|stories|anything|something|works?|books|written|wrote|letters)\s+by\s+(?<name>\p{L}[\p{L}'-]+\s+\p{L}[\p{L}'-]+)\s*[?.!]*$", RegexOptions.IgnoreCase)]
    private static partial Regex ByNamedPerson();

    [GeneratedRegex(@"(?<![\w.-])(1[5-9]\d{2}|20\d{2})(?![\w.-])")]
    private static partial Regex BareYear();

    [GeneratedRegex(@"\bwho\s+(writes|wrote|does|edits|covers)\s+(the|your|a)\s+(?<what>[\w\s-]{2,30}?)\s+(?<kind>column|section|page|reviews|desk)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WhoWritesColumn();

    [GeneratedRegex(@"\b(what|which)\s+(else\s+)?(has|have|did|does)\b.*\b(written|write|writes|wrote|published|publish|posted|post)\b|\b(anything|everything|all)\s+(else\s+)?by\b|\bother\s+(pieces|articles|posts|essays|columns)\s+by\b", RegexOptions.IgnoreCase)]
    private static partial Regex WrittenByQuestion();

    [GeneratedRegex(@"^\s*(pieces|articles|posts|essays|papers|columns|stories|anything|everything)\b|\bwhat\s+did\s+(we|you|they)\s+(publish|run|print|post)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BarePiecesQuestion();

    [GeneratedRegex(@"\b(mention|mentions|mentioning|mentioned|cite|cites|citing|quote|quotes|quoting|refer\s+to|refers\s+to|referring\s+to)\s+(?<name>[\w.' -]{2,60})", RegexOptions.IgnoreCase)]
    private static partial Regex MentionQuestion();

    [GeneratedRegex(@"\b(apart\s+from|except|excluding|other\s+than|not\s+counting|besides|leaving\s+out)\s+(his|her|their|\w+'s)\s+own\b|\bnot\s+(by|written\s+by)\s+(him|her|them)\b|\bby\s+others\b|\bby\s+other\s+(writers|authors)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ExcludeOwnWords();

    [GeneratedRegex(@"\bfirst\s+(appear|appeared|published|ran|run|printed|came\s+out)\b|\bfor\s+the\s+first\s+time\b|\bat\s+first\b|\bfirst\s+(hand|place|name)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FirstAppeared();

    [GeneratedRegex(@"\b(latest|newest|most\s+recent(ly)?|last|final|recent)\b(?!\s+(week|year|month|night|time|century|decade|name)s?\b)", RegexOptions.IgnoreCase)]
    internal static partial Regex NewestWords();

    [GeneratedRegex(@"\b(first|earliest|oldest|very\s+first|initial)\b(?!\s+(name|person|time)\b)", RegexOptions.IgnoreCase)]
    internal static partial Regex OldestWords();

    [GeneratedRegex(@"\bwho\s+(wrote|write|writes|authored|is\s+the\s+author|was\s+the\s+author)\b|\bwhen\s+(was|were|did|is)\b|\bwhat\s+(date|year|day)\b|\bwhich\s+(newspaper|magazine|paper|publication|journal|periodical)\b|\bwhere\s+(was|were|did)\b.*\b(appear|published|printed|first|run)\b|\bin\s+which\s+(newspaper|magazine|publication)\b|\bwhat\s+(newspaper|magazine|publication)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MetadataQuestion();

    [GeneratedRegex(@"\b(before|elsewhere|other\s+(articles|pieces|essays|papers|columns)|ever|this\s+(magazine|publication|paper|newspaper|site)|the\s+archive|in\s+general|anywhere|previously|again)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WideningWords();
}
