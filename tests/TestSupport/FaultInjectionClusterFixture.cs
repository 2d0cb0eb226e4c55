using CardGame.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Persistence;
using Orleans.Storage;
using Orleans.TestingHost;

namespace CardGame.TestSupport;

/// <summary>
/// One silo whose <c>tables</c> and <c>players</c> storage is the real Redis storage wrapped by Orleans' fault-injection
/// storage: <c>IStorageFaultGrain</c> (key: the grain's state name, <c>table</c> or <c>player</c>) makes the next read or
/// write of a given grain throw; <see cref="LostAnswers"/> makes a call run and its answer fail to arrive.
/// </summary>
public sealed class FaultInjectionClusterFixture : ClusterFixture
{
    protected override short InitialSilos => 1;

    protected override void AddConfigurators(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<FaultInjectionSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<TestClientConfigurator>();
    }

    public sealed class FaultInjectionSiloConfigurator : ISiloConfigurator
    {

        public void Configure(ISiloBuilder siloBuilder)
        {
            AddFaultInjectedTablesStorage(siloBuilder, storage => storage);
            AddFaultInjectedPlayersStorage(siloBuilder);
            siloBuilder.AddIncomingGrainCallFilter<LostAnswers>();
        }

        /// <summary>
        /// Registers the <c>tables</c> storage as the real Redis storage inside Orleans' fault injection, then inside
        /// <paramref name="wrap"/> (e.g. a storage that fails in other ways).
        /// </summary>
        public static void AddFaultInjectedTablesStorage(ISiloBuilder siloBuilder, Func<IGrainStorage, IGrainStorage> wrap)
        {
            var redis = siloBuilder.Configuration.GetConnectionString("Redis")!;
            var services = siloBuilder.Services;
            services.AddOptions<RedisStorageOptions>(StorageNames.Tables)
                .Configure(o =>
                {
                    o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                    o.DeleteStateOnClear = true;
                });
            services.AddKeyedSingleton<IGrainStorage>(StorageNames.Tables, (sp, key) =>
                wrap(FaultInjectionGrainStorageFactory.Create(sp, (string)key!, RedisGrainStorageFactory.Create)));
            // Storage providers join the silo lifecycle as plain participants; the wrapper starts the real storage.
            services.AddSingleton(sp => (ILifecycleParticipant<ISiloLifecycle>)sp.GetRequiredKeyedService<IGrainStorage>(StorageNames.Tables));
        }

        /// <summary>The <c>players</c> storage as shipped (Redis, records expiring) inside Orleans' fault injection.</summary>
        public static void AddFaultInjectedPlayersStorage(ISiloBuilder siloBuilder)
        {
            var redis = siloBuilder.Configuration.GetConnectionString("Redis")!;
            var services = siloBuilder.Services;
            services.AddOptions<RedisStorageOptions>(StorageNames.Players)
                .Configure(o =>
                {
                    o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
                    o.EntryExpiry = GameOptions.RetentionOf(GameOptions.DefaultPlayerRetentionDays);
                });
            services.AddKeyedSingleton<IGrainStorage>(StorageNames.Players, (sp, key) =>
                FaultInjectionGrainStorageFactory.Create(sp, (string)key!, RedisGrainStorageFactory.Create));
            services.AddSingleton(sp => (ILifecycleParticipant<ISiloLifecycle>)sp.GetRequiredKeyedService<IGrainStorage>(StorageNames.Players));
        }
    }
}
