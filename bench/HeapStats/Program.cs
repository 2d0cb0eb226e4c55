using System.Globalization;
using Microsoft.Diagnostics.Runtime;

// Live managed heap of a running .NET process by type: attaches to a snapshot (fork) of the process, marks every
// object reachable from the roots, and prints the types that hold the most bytes. Used by bench/profile.sh heap.
//
//   CardGame.Bench.HeapStats <pid> [top=30] [per=N]   (per: also print bytes per N, e.g. per connected player)
//
// HEAPSTATS_STRINGS=N adds the N string shapes holding the most bytes; HEAPSTATS_DEAD=N the N types holding the most
// unreachable (dead, not yet collected) bytes, by generation (0-1: allocated since the last GCs; older: promoted, then
// dead, waiting for a full collection).
if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: CardGame.Bench.HeapStats <pid> [top] [per]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var per = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
using var target = DataTarget.CreateSnapshotAndAttach(pid);
var heap = target.ClrVersions[0].CreateRuntime().Heap;

var marked = new HashSet<ulong>();
var pending = new Stack<ulong>();
foreach (var root in heap.EnumerateRoots())
{
    if (root.Object.Address != 0 && marked.Add(root.Object.Address))
    {
        pending.Push(root.Object.Address);
    }
}

var byType = new Dictionary<string, (long Count, long Bytes)>();
// HEAPSTATS_STRINGS=N: also the N string shapes holding the most bytes.
var shapesWanted = int.TryParse(Environment.GetEnvironmentVariable("HEAPSTATS_STRINGS"), CultureInfo.InvariantCulture, out var wanted) ? wanted : 0;
var stringShapes = shapesWanted > 0 ? new Dictionary<string, (long Count, long Bytes)>() : null;
long live = 0;
while (pending.Count > 0)
{
    var obj = heap.GetObject(pending.Pop());
    if (!obj.IsValid)
    {
        continue;
    }

    var name = obj.Type?.Name ?? "?";
    var size = (long)obj.Size;
    if (stringShapes is not null && obj.Type?.IsString == true)
    {
        // Strings by shape (their first characters, digits masked): which strings the process holds many of.
        var text = obj.AsString(48) ?? "";
        var shape = new string([.. text.Take(20).Select(c => char.IsAsciiDigit(c) ? '9' : char.IsControl(c) ? '.' : c)]) + (text.Length > 20 ? "…" : "");
        var (n, b) = stringShapes.GetValueOrDefault(shape);
        stringShapes[shape] = (n + 1, b + size);
    }

    live += size;
    var (count, bytes) = byType.GetValueOrDefault(name);
    byType[name] = (count + 1, bytes + size);
    foreach (var reference in obj.EnumerateReferences(carefully: true, considerDependantHandles: true))
    {
        if (reference.Address != 0 && marked.Add(reference.Address))
        {
            pending.Push(reference.Address);
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pid {pid}: live managed heap {live / 1048576.0:F1} MiB in {marked.Count:N0} objects{(per > 0 ? $", {live / (double)per / 1024:F1} KiB per {per:N0}" : "")}"));
// What the GC holds beyond the live objects: committed memory of its regions by kind, and the dead or free space in it.
var committed = heap.Segments.GroupBy(s => s.Kind).Select(g => (Kind: g.Key, Bytes: g.Sum(s => (long)s.CommittedMemory.Length), Count: g.Count())).ToList();
long objectBytes = 0, freeBytes = 0;
var deadWanted = int.TryParse(Environment.GetEnvironmentVariable("HEAPSTATS_DEAD"), CultureInfo.InvariantCulture, out var dead) ? dead : 0;
var deadByType = new Dictionary<string, (long Count, long Bytes)>();
foreach (var obj in heap.EnumerateObjects(carefully: true))
{
    if (!obj.IsValid)
    {
        continue;
    }

    if (obj.IsFree)
    {
        freeBytes += (long)obj.Size;
    }
    else
    {
        objectBytes += (long)obj.Size;
        if (deadWanted > 0 && !marked.Contains(obj.Address))
        {
            var young = heap.GetSegmentByAddress(obj.Address)?.GetGeneration(obj.Address) is Generation.Generation0 or Generation.Generation1;
            var deadName = (young ? "gen0-1 " : "older  ") + (obj.Type?.Name ?? "?");
            var (n, b) = deadByType.GetValueOrDefault(deadName);
            deadByType[deadName] = (n + 1, b + (long)obj.Size);
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GC committed {committed.Sum(c => c.Bytes) / 1048576.0:F1} MiB ({string.Join(", ", committed.Select(c => $"{c.Kind} {c.Bytes / 1048576.0:F1} MiB in {c.Count}"))}); objects {objectBytes / 1048576.0:F1} MiB (dead included), free {freeBytes / 1048576.0:F1} MiB"));
Console.WriteLine("     MiB    objects  type");
foreach (var (name, (count, bytes)) in byType.OrderByDescending(t => t.Value.Bytes).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {(name.Length > 140 ? name[..140] : name)}"));
}

if (deadWanted > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"dead: {deadByType.Values.Sum(t => t.Bytes) / 1048576.0:F2} MiB in {deadByType.Values.Sum(t => t.Count):N0} objects"));
    Console.WriteLine("     MiB    objects  type");
    foreach (var (name, (count, bytes)) in deadByType.OrderByDescending(t => t.Value.Bytes).Take(deadWanted))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {(name.Length > 140 ? name[..140] : name)}"));
    }
}

if (stringShapes is not null)
{
    Console.WriteLine("     MiB    strings  shape");
    foreach (var (shape, (count, bytes)) in stringShapes.OrderByDescending(t => t.Value.Bytes).Take(shapesWanted))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {shape}"));
    }
}

return 0;
