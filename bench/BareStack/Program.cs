using CardGame.Bench.BareStack;

// The bare stack the benchmark compares the game with. "edge": a SignalR hub (/hubs/bare) with an Orleans client;
// "silo": an Orleans silo hosting one no-op grain. Same hosting defaults (Web SDK, server GC) as the real edge and silo.
var role = args.FirstOrDefault() is "silo" ? "silo" : "edge";
var builder = WebApplication.CreateBuilder(args.SkipWhile(a => a is "silo" or "edge").ToArray());
if (role == "silo")
{
    builder.AddBareSilo();
}
else
{
    builder.AddBareEdge();
}

var app = builder.Build();
app.MapGet("/health", () => "ok");
if (role == "edge")
{
    app.MapHub<BareHub>("/hubs/bare");
}

app.Run();
