using Xunit.Abstractions;
using Xunit.Sdk;

namespace Clippings.Tests.Storage;

/// <summary>
/// A contract fact: written once in <see cref="ArchiveIndexContract"/> and run by every implementation's subclass.
/// A subclass marked <see cref="RequiresEnvironmentAttribute"/> has its facts skipped, with the reason, when the variable is unset
/// (xunit 2 cannot skip at run time, so the decision is made at discovery, per test class).
/// </summary>
[XunitTestCaseDiscoverer("Clippings.Tests.Storage.IndexContractFactDiscoverer", "Clippings.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class IndexContractFactAttribute : FactAttribute;

/// <summary>The test class needs an environment variable (e.g. a live server's URL); its contract facts skip without it.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresEnvironmentAttribute(string variable, string why) : Attribute
{
    public string Variable { get; } = variable;
    public string Why { get; } = why;
}

public sealed class IndexContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var requirement = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)).FirstOrDefault();
        string? skip = null;
        if (requirement is not null)
        {
            var variable = requirement.GetNamedArgument<string>(nameof(RequiresEnvironmentAttribute.Variable));
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
            {
                skip = $"{variable} is not set: {requirement.GetNamedArgument<string>(nameof(RequiresEnvironmentAttribute.Why))}";
            }
        }

        yield return skip is null
            ? new XunitTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
            : new SkippedContractTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

/// <summary>A contract test case skipped for a reason decided at discovery.</summary>
public sealed class SkippedContractTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedContractTestCase() { }

    public SkippedContractTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod, string reason)
        : base(sink, display, options, testMethod) => _reason = reason;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReasonText", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("SkipReasonText");
        base.Deserialize(data);
    }
}
