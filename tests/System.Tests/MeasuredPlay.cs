extern alias loadtest;

using loadtest::CardGame.LoadTest.Running;

namespace CardGame.SystemTests;

/// <summary>
/// Ends a load run once its measured window holds the play a test asserts on, instead of a window of a set length: at
/// load averages of 20-40 a game of bots took longer than the 8-12 s windows these tests had, and a correct server
/// failed "at least one game finished". The run's own duration stays the upper bound.
/// </summary>
internal static class MeasuredPlay
{
    /// <summary>An upper bound for a run that <see cref="EndOnceMeasuredAsync"/> ends: long enough for a game at any load seen here.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Waits until the window measured by <paramref name="runner"/> holds, beyond <paramref name="since"/> (what it held
    /// at some earlier point, e.g. an edge's restart), at least <paramref name="actions"/> moves and
    /// <paramref name="games"/> finished games with as many verified shuffles; then cancels <paramref name="stop"/>,
    /// which ends the run (moves in flight get their close grace) and gives its report. Returns when the run ends by
    /// itself first.
    /// </summary>
    public static async Task EndOnceMeasuredAsync(LoadRunner runner, Task running, CancellationTokenSource stop, long actions, long games,
        (long Actions, long GamesFinished, long ShufflesVerified) since = default)
    {
        while (!running.IsCompleted)
        {
            var now = runner.Measured;
            if (now.Actions - since.Actions >= actions && now.GamesFinished - since.GamesFinished >= games && now.ShufflesVerified - since.ShufflesVerified >= games)
            {
                await stop.CancelAsync();
                return;
            }

            await Task.WhenAny(running, Task.Delay(200));
        }
    }
}
