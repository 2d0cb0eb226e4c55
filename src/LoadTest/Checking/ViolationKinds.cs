namespace CardGame.LoadTest.Checking;

/// <summary>The correctness violations the load tool detects. Any of them makes the run exit non-zero.</summary>
public static class ViolationKinds
{
    /// <summary>An event's <c>seq</c> skipped one or more numbers for this client.</summary>
    public const string SeqGap = "seq_gap";

    /// <summary>An event arrived again, or after a later one.</summary>
    public const string SeqRepeat = "seq_repeat";

    /// <summary>A <c>took</c> event for another player carried the card.</summary>
    public const string ForeignCard = "foreign_card";

    /// <summary>A <c>hand</c> that is not the receiver's own: on an event other than <c>started</c>, or overlapping another seat's hand.</summary>
    public const string ForeignHand = "foreign_hand";

    /// <summary>The server says this player put a card it was never dealt (not in the hand tracked from events).</summary>
    public const string CardNotDealt = "card_not_dealt";

    /// <summary>A card appeared twice: taken or put while the tracker already saw it elsewhere.</summary>
    public const string DuplicateCard = "duplicate_card";

    /// <summary>An accepted move broke the rules (a put that matches neither rank nor suit, a wrong hand size).</summary>
    public const string IllegalMoveAccepted = "illegal_move_accepted";

    /// <summary>Hand counts + stock + discard pile do not add up to 52, or an event's hand count disagrees.</summary>
    public const string CardCount = "card_count";

    /// <summary>A <see cref="CardGame.Contracts.Protocol.TableView"/> disagrees with the state tracked from events at the same seq.</summary>
    public const string ViewMismatch = "view_mismatch";

    /// <summary>Two seats received different public content for the same seq.</summary>
    public const string DivergentEvent = "divergent_event";

    /// <summary>
    /// A finished game fails the fair-shuffle check: the revealed seed does not match the commitment, or a card dealt,
    /// turned, taken or put is not what the seed and the public moves give (docs/fair-shuffle.md).
    /// </summary>
    public const string ShuffleNotVerified = "shuffle_not_verified";

    /// <summary>A <c>started</c> event reached a seated player without their hand, or a taker got no card while cards were left.</summary>
    public const string MissingCard = "missing_card";

    /// <summary>
    /// With <c>FinalCheck</c>: at the end of the run a player is no longer seated at its table, or the server's view never
    /// settled at the <c>seq</c> its events reached (its hand is compared as <see cref="ViewMismatch"/>).
    /// </summary>
    public const string NotSeatedAtEnd = "not_seated_at_end";
}
