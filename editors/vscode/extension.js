// The slarules extension: starts `slarules lsp` (the command and arguments in the
// settings slarules.server.command and slarules.server.args) for every .sla file.
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("slarules");
  const server = {
    command: settings.get("server.command", "slarules"),
    args: settings.get("server.args", ["lsp"]),
  };
  client = new LanguageClient("slarules", "slarules language server", server, {
    documentSelector: [{ language: "slarules" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
