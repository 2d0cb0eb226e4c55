global using CardGame.Chaos.Tests.Infrastructure;
global using CardGame.Contracts.Protocol;
global using CardGame.TestSupport;
global using Xunit.Abstractions;

// The faults are real (processes killed, Redis restarted): one test at a time, on this 2-core box too.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
