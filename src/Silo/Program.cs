using CardGame.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddCardGameSilo();

var app = builder.Build();
app.MapCardGameSiloEndpoints();
app.Run();
