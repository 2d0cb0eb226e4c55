using System.Reflection;
using CardGame.Contracts.Grains;
using Orleans.CodeGeneration;

namespace CardGame.Grains.Tests.Contracts;

/// <summary>
/// Two versions run side by side during a rolling upgrade: they call each other's grains, exchange serialized records
/// (calls, observer batches, migrating tables) and read each other's stored state. So grain interfaces carry
/// <c>[Version]</c> and <c>[Alias]</c>, and every member that ever crossed a wire or reached storage stays as it was:
/// <c>Fixtures/contract.txt</c> lists them as of the last release, and none may be removed, renumbered or retyped
/// (adding is fine; append new lines to the list when a version ships).
/// </summary>
public sealed class ContractEvolutionTests
{
    private static readonly Assembly[] Assemblies = [typeof(ITableGrain).Assembly, typeof(TableGrain).Assembly];

    /// <summary>Stored as System.Text.Json by property name (see <c>UseSystemTextJsonGrainStorageSerializer</c>).</summary>
    private static readonly Type[] StoredTypes =
    [
        typeof(TableState), typeof(SeatState), typeof(CardGame.Grains.Rules.CrazyEightsGame), typeof(PlayerState),
    ];

    [Fact]
    public void Every_grain_interface_carries_a_version_and_an_alias()
    {
        var interfaces = Assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
            .ToList();

        Assert.NotEmpty(interfaces);
        Assert.All(interfaces, i =>
        {
            Assert.True(i.GetCustomAttribute<VersionAttribute>() is not null, $"{i.Name} has no [Version]");
            Assert.True(i.GetCustomAttribute<AliasAttribute>() is not null, $"{i.Name} has no [Alias]");
        });
    }

    [Fact]
    public void Serialized_and_stored_members_are_only_ever_added()
    {
        var current = CurrentContract().ToHashSet(StringComparer.Ordinal);
        var recorded = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "contract.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        var broken = recorded.Where(l => !current.Contains(l)).ToList();
        Assert.True(broken.Count == 0,
            "Members removed, renumbered or retyped (breaks a mixed-version cluster or stored state):\n" + string.Join('\n', broken)
            + "\n\nThe contract now:\n" + string.Join('\n', CurrentContract()));
    }

    /// <summary>One line per serialized member (<c>wire alias id name type</c>) and per stored property (<c>stored type name type</c>).</summary>
    private static IEnumerable<string> CurrentContract()
    {
        foreach (var type in Assemblies.SelectMany(a => a.GetTypes()).Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var alias = type.GetCustomAttribute<AliasAttribute>()?.Alias ?? type.FullName!;
            foreach (var member in type.GetMembers(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (member.GetCustomAttribute<IdAttribute>() is { } id)
                {
                    yield return $"wire {alias} {id.Id} {member.Name} {TypeName(MemberType(member))}";
                }
            }
        }

        foreach (var type in StoredTypes)
        {
            foreach (var property in type.GetProperties().Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null))
            {
                yield return $"stored {type.Name} {property.Name} {TypeName(property.PropertyType)}";
            }
        }
    }

    private static Type MemberType(MemberInfo member) => member switch
    {
        PropertyInfo p => p.PropertyType,
        FieldInfo f => f.FieldType,
        _ => throw new InvalidOperationException(member.Name),
    };

    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
