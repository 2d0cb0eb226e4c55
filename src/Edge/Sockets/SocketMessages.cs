namespace CardGame.Edge.Sockets;

/// <summary>The <c>msg</c> names of <c>/ws</c> (shared/protocol.md, "Plain WebSocket endpoint").</summary>
public static class SocketMessages
{
    public const string Auth = "auth";
    public const string RoomList = "room_list";
    public const string CreateRoom = "create_room";
    public const string JoinRoom = "join_room";
    public const string QuickPlay = "quick_play";
    public const string Start = "start";
    public const string Take = "take";
    public const string Put = "put";
    public const string Leave = "leave";
    public const string Table = "table";
    public const string Resume = "resume";
    public const string Watch = "watch";
    public const string Unwatch = "unwatch";
    public const string WatchLobby = "watch_lobby";
    public const string UnwatchLobby = "unwatch_lobby";
    public const string Error = "error";
    public const string Event = "event";
    public const string Lobby = "lobby";

    /// <summary>
    /// Each request's hub method, the name it has in metrics and logs whichever transport carried it; messages not in
    /// this table are not requests.
    /// </summary>
    public static IReadOnlyDictionary<string, string> HubMethods { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Auth] = "Authenticate",
        [RoomList] = "ListRooms",
        [CreateRoom] = "CreateRoom",
        [JoinRoom] = "JoinRoom",
        [QuickPlay] = "QuickPlay",
        [Start] = "StartGame",
        [Take] = "TakeCard",
        [Put] = "PutCard",
        [Leave] = "LeaveRoom",
        [Table] = "GetTable",
        [Resume] = "Resume",
        [Watch] = "WatchRoom",
        [Unwatch] = "StopWatching",
        [WatchLobby] = "WatchLobby",
        [UnwatchLobby] = "StopWatchingLobby",
    };
}
