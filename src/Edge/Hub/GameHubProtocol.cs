using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>
/// The standard JSON hub protocol (camelCase), with two adjustments that keep the error contract: an invocation
/// whose arguments do not bind is passed on with <see cref="MalformedArgument"/>s (so it fails with
/// <c>bad_request</c> instead of SignalR's generic text), and error texts leave as <see cref="GameErrors.ForClient"/>.
/// </summary>
public sealed class GameHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && ParameterCount(binder, failure.Target) is { } count)
        {
            message = new InvocationMessage(failure.InvocationId, failure.Target, Enumerable.Repeat<object?>(MalformedArgument.Instance, Math.Max(count, 1)).ToArray());
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(ForClient(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(ForClient(message));

    private static int? ParameterCount(IInvocationBinder binder, string target)
    {
        try
        {
            return binder.GetParameterTypes(target).Count;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException)
        {
            return null;
        }
    }

    private static HubMessage ForClient(HubMessage message) => message switch
    {
        CompletionMessage { Error: { } error } completion =>
            new CompletionMessage(completion.InvocationId!, GameErrors.ForClient(error), result: null, hasResult: false) { Headers = completion.Headers },
        CloseMessage { Error: { } error } close => new CloseMessage(GameErrors.ForClient(error), close.AllowReconnect),
        _ => message,
    };
}
