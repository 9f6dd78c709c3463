using System.Reflection;
using System.Text;
using Google.Protobuf;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// An in-process stand-in for a Qdrant server behind <see cref="IQdrantClient"/>: it records every call (method, arguments,
/// protobuf bytes each way) and answers the calls the Qdrant index makes from points held in memory, evaluating the
/// filters the index sends (must / must_not / should, keyword and any-of matches, booleans, datetime ranges, has_id,
/// is_empty). It does not rank like HNSW or apply IDF: the bench counts requests and bytes, tests check protocols.
/// </summary>
internal class InMemoryQdrant : DispatchProxy
{
    public sealed record Call(string Method, Dictionary<string, object?> Args, long RequestBytes, long ResponseBytes);

    private readonly Dictionary<string, Collection> _collections = new(StringComparer.Ordinal);

    public List<Call> Calls { get; } = [];

    /// <summary>What the health check reports.</summary>
    public string Version { get; set; } = "1.16.0";

    /// <summary>The status writes report (a server past its wait timeout answers WaitTimeout).</summary>
    public UpdateStatus WriteStatus { get; set; } = UpdateStatus.Completed;

    /// <summary>Runs before a call is answered: a test may throw here to simulate a failure.</summary>
    public Action<string, Dictionary<string, object?>>? BeforeCall { get; set; }

    public static (IQdrantClient Client, InMemoryQdrant Server) Create()
    {
        var client = Create<IQdrantClient, InMemoryQdrant>();
        return (client, (InMemoryQdrant)(object)client);
    }

    public IReadOnlyDictionary<string, PointStruct> Points(string collection) =>
        _collections.TryGetValue(collection, out var c) ? c.Points : new Dictionary<string, PointStruct>();

    private sealed class Collection
    {
        public Dictionary<string, PointStruct> Points { get; } = new(StringComparer.Ordinal);

        /// <summary>article_id → point keys, so filters on an article do not scan every point (the server has its payload index).</summary>
        public Dictionary<string, HashSet<string>> ByArticle { get; } = new(StringComparer.Ordinal);

        public void Put(string key, PointStruct point)
        {
            Remove(key);
            Points[key] = point;
            if (point.Payload.TryGetValue("article_id", out var id))
            {
                (ByArticle.TryGetValue(id.StringValue, out var keys) ? keys : ByArticle[id.StringValue] = []).Add(key);
            }
        }

        public void Remove(string key)
        {
            if (Points.Remove(key, out var old) && old.Payload.TryGetValue("article_id", out var id) && ByArticle.TryGetValue(id.StringValue, out var keys))
            {
                keys.Remove(key);
            }
        }

        /// <summary>The points a filter can match: narrowed by its article ids when it names them, else all.</summary>
        public IEnumerable<PointStruct> Candidates(Filter? filter)
        {
            var ids = filter is null ? null : ArticleIds(filter);
            return ids is null ? Points.Values : ids.SelectMany(id => ByArticle.TryGetValue(id, out var keys) ? keys : []).Distinct().Select(k => Points[k]);
        }

        private static List<string>? ArticleIds(Filter filter)
        {
            foreach (var condition in filter.Must)
            {
                if (condition.Field is { Key: "article_id", Match: { } match })
                {
                    return match.MatchValueCase == Match.MatchValueOneofCase.Keyword ? [match.Keyword] : [.. match.Keywords.Strings];
                }
            }

            if (filter.Should.Count > 0 && filter.Should.All(c => c.Filter is not null))
            {
                var all = new List<string>();
                foreach (var nested in filter.Should.Select(c => ArticleIds(c.Filter)))
                {
                    if (nested is null)
                    {
                        return null;
                    }

                    all.AddRange(nested);
                }

                return all;
            }

            return null;
        }
        public Dictionary<string, PayloadSchemaType> Indexes { get; } = new(StringComparer.Ordinal);
        public ulong DenseSize { get; init; }
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var named = targetMethod.GetParameters().Select((p, i) => (p.Name!, args![i])).ToDictionary(p => p.Item1, p => p.Item2);
        var valueType = targetMethod.ReturnType.IsGenericType ? targetMethod.ReturnType.GetGenericArguments()[0] : typeof(object);
        try
        {
            BeforeCall?.Invoke(targetMethod.Name, named);
            object? result;
            lock (_collections)
            {
                // One request at a time, like a server's single write lock; readers in tests run concurrently with writers.
                result = Answer(targetMethod.Name, named);
                Calls.Add(new Call(targetMethod.Name, named, named.Values.Sum(SizeOf) + 16, SizeOf(result) + 16));
            }
            if (targetMethod.ReturnType == typeof(Task))
            {
                return Task.CompletedTask;
            }

            return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(valueType).Invoke(null, [result]);
        }
        catch (Exception error)
        {
            lock (_collections)
            {
                Calls.Add(new Call(targetMethod.Name, named, named.Values.Sum(SizeOf) + 16, 16));
            }

            return targetMethod.ReturnType == typeof(Task)
                ? Task.FromException(error)
                : typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(valueType).Invoke(null, [error]);
        }
    }

    /// <summary>Protobuf bytes of an argument or result (a string as UTF-8, anything else as 8 bytes).</summary>
    private static long SizeOf(object? value) => value switch
    {
        null => 0,
        IMessage message => message.CalculateSize(),
        string text => Encoding.UTF8.GetByteCount(text),
        System.Collections.IDictionary map => map.Values.Cast<object?>().Sum(SizeOf) + map.Keys.Cast<object?>().Sum(SizeOf),
        System.Collections.IEnumerable items => items.Cast<object?>().Sum(SizeOf),
        CancellationToken => 0,
        _ => 8,
    };

    private UpdateResult Completed() => new() { Status = WriteStatus };

    private Collection Get(Dictionary<string, object?> args) =>
        _collections.TryGetValue((string)args["collectionName"]!, out var c) ? c : throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, $"Collection `{args["collectionName"]}` doesn't exist!"));

    private object? Answer(string method, Dictionary<string, object?> args)
    {
        switch (method)
        {
            case "HealthAsync":
                return new HealthCheckReply { Title = "qdrant - vector search engine", Version = Version };
            case "CollectionExistsAsync":
                return _collections.ContainsKey((string)args["collectionName"]!);
            case "CreateCollectionAsync":
                var create = args.Values.OfType<CreateCollection>().Single();
                if (_collections.ContainsKey(create.CollectionName))
                {
                    throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.AlreadyExists, $"Collection `{create.CollectionName}` already exists!"));
                }

                _collections[create.CollectionName] = new Collection { DenseSize = create.VectorsConfig.ParamsMap.Map.Values.First().Size };
                return null;
            case "GetCollectionInfoAsync":
                var collection = Get(args);
                var info = new CollectionInfo
                {
                    PointsCount = (ulong)collection.Points.Count,
                    Config = new CollectionConfig { Params = new CollectionParams { VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { ["dense"] = new VectorParams { Size = collection.DenseSize } } } } } },
                };
                foreach (var (field, type) in collection.Indexes)
                {
                    info.PayloadSchema[field] = new PayloadSchemaInfo { DataType = type };
                }

                return info;
            case "CreatePayloadIndexAsync":
                Get(args).Indexes[(string)args["fieldName"]!] = (PayloadSchemaType)args["schemaType"]!;
                return Completed();
            case "UpsertAsync":
                Upsert(Get(args), (IReadOnlyList<PointStruct>)args["points"]!, null);
                return Completed();
            case "UpdateBatchAsync":
                foreach (var operation in (IReadOnlyList<PointsUpdateOperation>)args["operations"]!)
                {
                    Upsert(Get(args), operation.Upsert.Points, operation.Upsert.UpdateFilter);
                }

                return new List<UpdateResult> { Completed() };
            case "RetrieveAsync":
                var target = Get(args);
                var ids = args.TryGetValue("ids", out var list) && list is IEnumerable<PointId> many ? many.ToList() : [ToPointId(args["id"])];
                return ids.Where(id => target.Points.ContainsKey(Key(id))).Select(id => Retrieved(target.Points[Key(id)], args)).ToList();
            case "ScrollAsync":
                return Scroll(Get(args), args);
            case "CountAsync":
                var counted = Get(args);
                return (ulong)counted.Candidates(args["filter"] as Filter).Count(p => Matches(p, args["filter"] as Filter));
            case "DeleteAsync":
                var from = Get(args);
                if (args.TryGetValue("filter", out var f) && f is Filter filter)
                {
                    foreach (var key in from.Candidates(filter).Where(p => Matches(p, filter)).Select(p => Key(p.Id)).ToList())
                    {
                        from.Remove(key);
                    }
                }
                else
                {
                    from.Remove(Key(ToPointId(args["id"])));
                }

                return Completed();
            case "SetPayloadAsync":
                var into = Get(args);
                foreach (var id in ((System.Collections.IEnumerable)args["ids"]!).Cast<object>().Select(ToPointId))
                {
                    if (into.Points.TryGetValue(Key(id), out var point))
                    {
                        foreach (var (field, value) in (IReadOnlyDictionary<string, Value>)args["payload"]!)
                        {
                            point.Payload[field] = value;
                        }
                    }
                }

                return Completed();
            case "QueryAsync":
                return Query(Get(args), (Query)args["query"]!, (IReadOnlyList<PrefetchQuery>?)args["prefetch"] ?? [], (string?)args["usingVector"], args["filter"] as Filter, (ulong)args["limit"]!);
            case "QueryBatchAsync":
                var batchTarget = Get(args);
                return ((IReadOnlyList<QueryPoints>)args["queries"]!).Select(q => new BatchResult { Result = { Query(batchTarget, q.Query, q.Prefetch, q.Using, q.Filter, q.Limit) } }).ToList();
            default:
                throw new NotSupportedException($"InMemoryQdrant does not answer {method}");
        }
    }

    private static PointId ToPointId(object? id) => id switch
    {
        PointId point => point,
        Guid guid => guid,
        _ => throw new NotSupportedException($"point id {id}"),
    };

    private static string Key(PointId id) => id.HasUuid ? id.Uuid : id.Num.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Upsert(Collection collection, IEnumerable<PointStruct> points, Filter? updateFilter)
    {
        foreach (var point in points)
        {
            // Conditional upsert as the server documents it: an existing point is replaced only if it matches; new ones are inserted.
            if (updateFilter is not null && collection.Points.TryGetValue(Key(point.Id), out var existing) && !Matches(existing, updateFilter))
            {
                continue;
            }

            collection.Put(Key(point.Id), point.Clone());
        }
    }

    private static RetrievedPoint Retrieved(PointStruct point, Dictionary<string, object?> args)
    {
        var retrieved = new RetrievedPoint { Id = point.Id };
        var payload = args.GetValueOrDefault("payloadSelector") ?? args.GetValueOrDefault("withPayload");
        var fields = payload switch
        {
            WithPayloadSelector { Include: { } include } => include.Fields.ToHashSet(StringComparer.Ordinal),
            WithPayloadSelector { Enable: true } or true => null,
            _ => new HashSet<string>(),
        };
        foreach (var (field, value) in point.Payload.Where(p => fields is null || fields.Contains(p.Key)))
        {
            retrieved.Payload[field] = value;
        }

        if (WantsVectors(args.GetValueOrDefault("vectorsSelector") ?? args.GetValueOrDefault("withVectors")))
        {
            retrieved.Vectors = Output(point);
        }

        return retrieved;
    }

    private static bool WantsVectors(object? selector) => selector is true or WithVectorsSelector { Enable: true } or WithVectorsSelector { Include: not null };

    private static VectorsOutput Output(PointStruct point)
    {
        var output = new NamedVectorsOutput();
#pragma warning disable CS0612
        foreach (var (name, vector) in point.Vectors.Vectors_.Vectors.Where(v => v.Value.Sparse is null && v.Value.Indices is null))
        {
            output.Vectors[name] = new VectorOutput { Dense = new DenseVector { Data = { vector.Dense?.Data ?? vector.Data } } };
        }
#pragma warning restore CS0612

        return new VectorsOutput { Vectors = output };
    }

    private static ScrollResponse Scroll(Collection collection, Dictionary<string, object?> args)
    {
        var limit = (int)(uint)args["limit"]!;
        var offset = args["offset"] is PointId start ? Key(start) : null;
        var matching = collection.Candidates(args["filter"] as Filter).Where(p => Matches(p, args["filter"] as Filter)).OrderBy(p => Key(p.Id), StringComparer.Ordinal)
            .SkipWhile(p => offset is not null && string.CompareOrdinal(Key(p.Id), offset) < 0).Take(limit + 1).ToList();
        var response = new ScrollResponse();
        response.Result.AddRange(matching.Take(limit).Select(p => Retrieved(p, args)));
        if (matching.Count > limit)
        {
            response.NextPageOffset = matching[limit].Id;
        }

        return response;
    }

    /// <summary>Dense: cosine; sparse: dot product; RRF: the server's formula (1 / (k + position), positions from 0).</summary>
    private static List<ScoredPoint> Query(Collection collection, Query query, IEnumerable<PrefetchQuery> prefetch, string? usingVector, Filter? filter, ulong limit)
    {
        if (query.VariantCase == Qdrant.Client.Grpc.Query.VariantOneofCase.Rrf)
        {
            var fused = new Dictionary<string, ScoredPoint>(StringComparer.Ordinal);
            foreach (var leg in prefetch)
            {
                foreach (var (point, position) in Query(collection, leg.Query, [], leg.Using, leg.Filter, leg.Limit).Select((p, i) => (p, i)))
                {
                    var score = 1f / (position + (int)query.Rrf.K);
                    if (fused.TryGetValue(Key(point.Id), out var known))
                    {
                        known.Score += score;
                    }
                    else
                    {
                        point.Score = score;
                        fused[Key(point.Id)] = point;
                    }
                }
            }

            return fused.Values.Where(p => Matches(collection.Points[Key(p.Id)], filter)).OrderByDescending(p => p.Score).Take((int)limit).ToList();
        }

        var nearest = query.Nearest;
        return collection.Candidates(filter).Where(p => Matches(p, filter))
            .Select(p => (Point: p, Score: Score(p, nearest, usingVector)))
            .Where(s => s.Score is not null)
            .OrderByDescending(s => s.Score).ThenBy(s => Key(s.Point.Id), StringComparer.Ordinal)
            .Take((int)limit)
            .Select(s => new ScoredPoint { Id = s.Point.Id, Score = s.Score!.Value, Payload = { s.Point.Payload }, Vectors = Output(s.Point) })
            .ToList();
    }

    private static float? Score(PointStruct point, VectorInput nearest, string? name)
    {
        if (name is null || !point.Vectors.Vectors_.Vectors.TryGetValue(name, out var stored))
        {
            return null;
        }

        if (nearest.Sparse is { } sparse)
        {
            // Stored sparse vectors come in the typed field or, from older clients, the deprecated flat pair.
#pragma warning disable CS0612
            var weights = stored.Sparse is { } held
                ? held.Indices.Zip(held.Values).ToDictionary(p => p.First, p => p.Second)
                : stored.Indices is { } indices ? indices.Data.Zip(stored.Data).ToDictionary(p => p.First, p => p.Second) : [];
#pragma warning restore CS0612
            var dot = sparse.Indices.Zip(sparse.Values).Sum(p => weights.GetValueOrDefault(p.First) * p.Second);
            return dot > 0 ? dot : null;
        }

        if (nearest.Dense is null)
        {
            return null;
        }

        var a = nearest.Dense.Data;
#pragma warning disable CS0612
        var b = stored.Dense?.Data ?? stored.Data;
#pragma warning restore CS0612
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 0 : (float)(ab / Math.Sqrt(aa * bb));
    }

    private static bool Matches(PointStruct point, Filter? filter) =>
        filter is null
        || (filter.Must.All(c => Matches(point, c))
            && !filter.MustNot.Any(c => Matches(point, c))
            && (filter.Should.Count == 0 || filter.Should.Any(c => Matches(point, c))));

    private static bool Matches(PointStruct point, Condition condition)
    {
        switch (condition.ConditionOneOfCase)
        {
            case Condition.ConditionOneOfOneofCase.Filter:
                return Matches(point, condition.Filter);
            case Condition.ConditionOneOfOneofCase.HasId:
                return condition.HasId.HasId.Any(id => Key(id) == Key(point.Id));
            case Condition.ConditionOneOfOneofCase.IsEmpty:
                return !point.Payload.TryGetValue(condition.IsEmpty.Key, out var present) || present.KindCase == Value.KindOneofCase.NullValue
                    || (present.KindCase == Value.KindOneofCase.ListValue && present.ListValue.Values.Count == 0);
            case Condition.ConditionOneOfOneofCase.Field:
                var field = condition.Field;
                if (!point.Payload.TryGetValue(field.Key, out var value))
                {
                    return false;
                }

                var values = value.KindCase == Value.KindOneofCase.ListValue ? value.ListValue.Values.ToList() : [value];
                if (field.Match is { } match)
                {
                    return match.MatchValueCase switch
                    {
                        Match.MatchValueOneofCase.Keyword => values.Any(v => v.StringValue == match.Keyword),
                        Match.MatchValueOneofCase.Keywords => values.Any(v => match.Keywords.Strings.Contains(v.StringValue)),
                        Match.MatchValueOneofCase.Boolean => values.Any(v => v.KindCase == Value.KindOneofCase.BoolValue && v.BoolValue == match.Boolean),
                        _ => throw new NotSupportedException($"match {match.MatchValueCase}"),
                    };
                }

                if (field.DatetimeRange is { } range)
                {
                    return values.Any(v => DateTimeOffset.TryParse(v.StringValue, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                        && (range.Gte is null || at >= range.Gte.ToDateTimeOffset()) && (range.Lte is null || at <= range.Lte.ToDateTimeOffset())
                        && (range.Gt is null || at > range.Gt.ToDateTimeOffset()) && (range.Lt is null || at < range.Lt.ToDateTimeOffset()));
                }

                throw new NotSupportedException($"field condition on {field.Key}");
            default:
                throw new NotSupportedException($"condition {condition.ConditionOneOfCase}");
        }
    }
}
