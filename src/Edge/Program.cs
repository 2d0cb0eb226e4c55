using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Hub;
using CardGame.Edge.Lifecycle;
using CardGame.Edge.Limits;
using CardGame.Edge.Observability;
using CardGame.Edge.Sockets;
using CardGame.Edge.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddEdgeLimits();    // Kestrel limits, real client address, sign-ins and connections per address
builder.AddEdgeSocketTransport(); // Kestrel's socket scheduling (Edge:InlineSocketScheduling)
builder.AddGameCluster();   // Orleans client: connects in the background; /health/live, /health/ready, /health
builder.AddGuestAuth();     // POST /api/auth/guest, JWT validation
builder.AddGameHub();       // /hubs/game: limits, errors, table event delivery
builder.AddGameSocket();    // /ws: the same protocol as plain JSON frames
builder.AddEdgeObservability(); // OpenTelemetry metrics
builder.AddEdgeDrain();     // SIGTERM: not ready, refuse new connections, tell clients to move, then stop
builder.AddEdgeWarmup();    // before ready: a player's reconnect path run once (hub, token, table calls), nothing stored

var app = builder.Build();
app.UseEdgeLimits();        // forwarded headers from trusted proxies, rate limits
app.UseEdgeDrain();         // while draining: 503 for new connections
app.UseSecurityHeaders();  // CSP, nosniff, no framing
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseGameHubGate();       // Origin allow-list, CORS, tokens
app.MapGuestAuth();
app.MapGameHub();
app.MapGameSocket();
app.MapEdgeHealth();
app.MapEdgeObservability(); // /metrics
app.Run();

/// <summary>The edge's entry point, public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
