// The commands draw Spectre.Console progress displays, and Spectre allows one live display per process: two commands
// run by tests in parallel made one of them throw ("interactive functions concurrently"). The CLI runs one command
// at a time, so its tests do too.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
