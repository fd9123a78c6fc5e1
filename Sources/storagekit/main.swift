import StorageCommands

await StorageKit.runAsMain()
