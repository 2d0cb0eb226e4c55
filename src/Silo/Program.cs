using CardGame.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddCardGameSilo();

var app = builder.Build();
app.MapHealthChecks("/health");
app.Run();
