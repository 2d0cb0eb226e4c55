using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace CardGame.SystemTests;

/// <summary>
/// One person at one browser: a Playwright context (its own storage, so its own remembered token) on one edge, and the
/// page the client runs in. Reads the table from what the page shows and acts only by clicking and typing.
/// </summary>
public sealed class Player : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _consoleProblems = [];

    private Player(IBrowserContext context, string name, ITestOutputHelper output)
    {
        _context = context;
        Name = name;
        _output = output;
    }

    public string Name { get; }

    public IPage Page { get; private set; } = null!;

    public ILocator Table => TestId("table-screen");

    public ILocator Players => TestId("player");

    public ILocator Cards => TestId("card");

    public ILocator Error => TestId("error");

    /// <summary>Errors and warnings the page wrote to its console (the client logs every failed call as "CardGame: …").</summary>
    public IReadOnlyList<string> ConsoleProblems => [.. _consoleProblems];

    public static async Task<Player> OpenAsync(IBrowser browser, Uri edge, string name, ITestOutputHelper output, int width = 1280, int height = 800)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = edge.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        var player = new Player(context, name, output);
        await player.OpenPageAsync();
        return player;
    }

    /// <summary>Opens the client in a new tab of this browser (after <see cref="ClosePageAsync"/>: "reopening the page").</summary>
    public async Task OpenPageAsync()
    {
        Page = await _context.NewPageAsync();
        Page.PageError += (_, error) => _pageErrors.Add(error);
        Page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                _consoleProblems.Add(message.Text);
                Log($"[{Name} console {message.Type}] {message.Text}");
            }
        };
        await Page.GotoAsync("/");
    }

    public Task ClosePageAsync() => Page.CloseAsync();

    /// <summary>Takes this browser off the network (new requests fail) or back on.</summary>
    public Task SetOfflineAsync(bool offline) => _context.SetOfflineAsync(offline);

    public ILocator TestId(string id) => Page.GetByTestId(id);

    public async Task SignInAsync()
    {
        await Expect(TestId("signin-screen")).ToBeVisibleAsync();
        await TestId("signin-name").FillAsync(Name);
        await TestId("signin-submit").ClickAsync();
        await Expect(TestId("lobby-screen")).ToBeVisibleAsync();
        await Expect(TestId("me-name")).ToHaveTextAsync(Name);
        await Expect(TestId("connection-status")).ToHaveAttributeAsync("data-state", "online");
    }

    /// <summary>Creates a room from the lobby form and sits down at it; returns its id.</summary>
    public async Task<string> CreateRoomAsync(string roomName, int seats)
    {
        await TestId("room-name").FillAsync(roomName);
        await TestId("room-seats").SelectOptionAsync(seats.ToString());
        await TestId("create-room").ClickAsync();
        await Expect(Table).ToBeVisibleAsync();
        await Expect(TestId("table-name")).ToHaveTextAsync(roomName);
        return await Table.GetAttributeAsync("data-room-id") ?? throw new InvalidOperationException("no room id on the table");
    }

    public ILocator RoomInList(string roomId) => Page.Locator($"[data-testid='room'][data-room-id='{roomId}']");

    public async Task JoinAsync(string roomId)
    {
        await RoomInList(roomId).GetByTestId("join-room").ClickAsync();
        await Expect(Table).ToBeVisibleAsync();
        await Expect(Table).ToHaveAttributeAsync("data-room-id", roomId);
    }

    public async Task<long> SeqAsync() => long.Parse(await Table.GetAttributeAsync("data-seq") ?? "0");

    public async Task<bool> IsMyTurnAsync() => await Table.GetAttributeAsync("data-my-turn") == "true";

    public async Task<string> PhaseAsync() => await Table.GetAttributeAsync("data-phase") ?? "";

    public async Task<IReadOnlyList<string>> HandAsync() =>
        await Cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.card)");

    /// <summary>The table as this page shows it, in the protocol's shape (what a bot would decide on).</summary>
    public async Task<TableView> ShownTableAsync() => new(
        await Table.GetAttributeAsync("data-room-id") ?? "",
        await TestId("table-name").InnerTextAsync(),
        await SeqAsync(),
        await PhaseAsync(),
        0,
        [],
        await Table.GetAttributeAsync("data-turn"),
        await TestId("top-card").GetAttributeAsync("data-card"),
        await TestId("suit").GetAttributeAsync("data-suit"),
        int.Parse(await TestId("take").GetAttributeAsync("data-count") ?? "0"),
        await HandAsync(),
        null);

    public async Task<string> PlayerIdAsync() =>
        await TestId("me").GetAttributeAsync("data-player-id") ?? throw new InvalidOperationException("not signed in");

    /// <summary>The seat entry of another player, as this page shows it.</summary>
    public ILocator Seat(string playerId) => Page.Locator($"[data-testid='player'][data-player-id='{playerId}']");

    /// <summary>Plays one legal move by clicking: a matching card, an 8 with a suit from the picker, or the stock.</summary>
    public async Task<string> PlayOneMoveAsync()
    {
        var move = MoveChooser.ChoosePut(await ShownTableAsync());
        if (move is not { } put)
        {
            await TestId("take").ClickAsync();
            return "take";
        }

        var card = Page.Locator($"[data-testid='card'][data-card='{put.Card}']");
        await Expect(card).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bplayable\b"));
        await card.ClickAsync();
        if (put.Suit is { } suit)
        {
            await Expect(TestId("suit-picker")).ToBeVisibleAsync();
            await TestId($"suit-{suit}").ClickAsync();
            return $"put {put.Card} naming {suit}";
        }

        return $"put {put.Card}";
    }

    public async Task WaitForSeqAsync(long atLeast) =>
        await Page.WaitForFunctionAsync(
            "s => Number(document.querySelector('[data-testid=table-screen]').dataset.seq) >= s",
            atLeast,
            new PageWaitForFunctionOptions { Timeout = 15_000 });

    public async Task<string> ScreenshotAsync(string name, string? alsoTo = null)
    {
        var path = Artifacts.Screenshot(name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Log($"screenshot: {path}");
        if (alsoTo is not null)
        {
            File.Copy(path, alsoTo, overwrite: true);
            Log($"screenshot: {alsoTo}");
        }

        return path;
    }

    /// <summary>Uncaught script errors on this player's pages fail the test.</summary>
    public void AssertNoPageErrors() => Assert.True(_pageErrors.Count == 0, $"{Name}'s page threw: {string.Join(" | ", _pageErrors)}");

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private void Log(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has already finished.
        }
    }
}
