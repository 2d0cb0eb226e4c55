using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using CardGame.Contracts.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Hub;

/// <summary>
/// The standard JSON hub protocol (camelCase), with two adjustments that keep the error contract: an invocation
/// whose arguments do not bind is passed on with <see cref="MalformedArgument"/>s (so it fails with
/// <c>bad_request</c> instead of SignalR's generic text), and error texts leave as <see cref="ForClient(string)"/>.
/// Methods listed in <see cref="OptionalLastArgument"/> may also be invoked without their last argument (SignalR itself
/// has no optional parameters), which then arrives as null: <c>TakeCard(roomId)</c> or <c>TakeCard(roomId, moveId)</c>.
/// </summary>
public sealed class GameHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    /// <summary>Hub methods whose last parameter may be left out by the client.</summary>
    public static readonly IReadOnlySet<string> OptionalLastArgument = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        nameof(GameHub.TakeCard),
        nameof(GameHub.PutCard),
    };

    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var original = input;
        if (!_json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage { Target: { } target } && OptionalLastArgument.Contains(target))
        {
            // Parse the same message again as if the method had no last parameter; pad the invocation with null.
            var again = original;
            if (_json.TryParseMessage(ref again, new WithoutLastParameter(binder), out var shorter) && shorter is InvocationMessage invocation)
            {
                message = new InvocationMessage(invocation.InvocationId, invocation.Target, [.. invocation.Arguments, null], invocation.StreamIds)
                {
                    Headers = invocation.Headers,
                };
                return true;
            }
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

    /// <summary>Binds as if the target method lacked its last parameter.</summary>
    private sealed class WithoutLastParameter(IInvocationBinder inner) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => inner.GetParameterTypes(methodName).SkipLast(1).ToList();

        public Type GetReturnType(string invocationId) => inner.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => inner.GetStreamItemType(streamId);

        public string? GetTarget(ReadOnlySpan<byte> utf8Bytes) => inner.GetTarget(utf8Bytes);
    }

    /// <summary>
    /// The error text a client receives. SignalR puts its own words and the exception's type name before the message
    /// of a <see cref="GameHubException"/>; clients get only that message (<c>code: text</c>). Errors SignalR raises
    /// itself (an unknown method, an unreadable message) get a code here: <c>unavailable</c> for its "unexpected
    /// error", else <c>bad_request</c>.
    /// </summary>
    public static string ForClient(string error)
    {
        var marker = error.LastIndexOf(GameErrorMarker, StringComparison.Ordinal);
        if (marker >= 0)
        {
            return error[(marker + GameErrorMarker.Length)..];
        }

        // SignalR's own HubExceptions ("Method does not exist."): their message only, without SignalR's words.
        var own = error.LastIndexOf(SignalRErrorMarker, StringComparison.Ordinal);
        var text = own >= 0 ? error[(own + SignalRErrorMarker.Length)..] : error;
        var code = error.StartsWith("An unexpected error", StringComparison.Ordinal) ? ErrorCodes.Unavailable : ErrorCodes.BadRequest;
        return new GameError(code, text).ToString();
    }

    private const string GameErrorMarker = nameof(GameHubException) + ": ";

    private const string SignalRErrorMarker = nameof(HubException) + ": ";

    private static HubMessage ForClient(HubMessage message) => message switch
    {
        CompletionMessage { Error: { } error } completion =>
            new CompletionMessage(completion.InvocationId!, ForClient(error), result: null, hasResult: false) { Headers = completion.Headers },
        GameCloseMessage or MoveCloseMessage => message,
        CloseMessage { Error: { } error } close => new CloseMessage(ForClient(error), close.AllowReconnect),
        _ => message,
    };
}
