using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>
/// Reads Orleans' own meter (<c>Microsoft.Orleans</c>) of every silo in this process: requests and responses one silo
/// sent another (a gateway forwarding a client's call to the silo hosting the grain is a request; a gateway forwarding a
/// client's answer to an observer call back to the calling silo is a response), by destination, and the messages each
/// silo's gateway received from clients, by the silo's <see cref="IMeterFactory"/>.
/// </summary>
public sealed class OrleansMessageCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SiloAddress, long> _requestsTo = new();
    private readonly ConcurrentDictionary<SiloAddress, long> _responsesTo = new();
    private readonly ConcurrentDictionary<object, long> _gatewayReceived = new();

    public OrleansMessageCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name is "orleans-messaging-sent-messages-size" or "orleans-gateway-received")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "orleans-gateway-received")
            {
                if (instrument.Meter.Scope is { } scope)
                {
                    _gatewayReceived.AddOrUpdate(scope, value, (_, n) => n + value);
                }

                return;
            }

            string? connection = null, direction = null;
            SiloAddress? silo = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "ConnectionDirection": connection = tag.Value?.ToString(); break;
                    case "MessageDirection": direction = tag.Value?.ToString(); break;
                    case "silo": silo = tag.Value as SiloAddress; break;
                }
            }

            if (connection == "SiloToSilo" && silo is not null)
            {
                switch (direction)
                {
                    case "Request": _requestsTo.AddOrUpdate(silo, 1, (_, n) => n + 1); break;
                    case "Response": _responsesTo.AddOrUpdate(silo, 1, (_, n) => n + 1); break;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Requests sent to <paramref name="silo"/> by other silos so far.</summary>
    public long RequestsTo(SiloAddress silo) => _requestsTo.GetValueOrDefault(silo);

    /// <summary>Responses sent to <paramref name="silo"/> by other silos so far.</summary>
    public long ResponsesTo(SiloAddress silo) => _responsesTo.GetValueOrDefault(silo);

    /// <summary>Messages the gateway of the silo whose meter factory is <paramref name="siloMeters"/> received from clients so far.</summary>
    public long GatewayReceived(IMeterFactory siloMeters) => _gatewayReceived.GetValueOrDefault(siloMeters);

    public void Dispose() => _listener.Dispose();
}
