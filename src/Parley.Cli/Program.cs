using Parley.Cli;

return await CliCommands.Build().Parse(args).InvokeAsync();
