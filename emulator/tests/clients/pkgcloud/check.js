// pkgcloud's Rackspace compute client against the emulator: Identity v2.0 with the API key,
// the catalog's cloudServersOpenStack in DFW, servers, flavors and images.
//
//   node check.js http://127.0.0.1:PORT
"use strict";

const util = require("node:util");
const pkgcloud = require("pkgcloud");

const url = process.argv[2];
const WEB1 = "00000001-cccc-4ccc-8ccc-000000000001";
const DFW = ["app-failed", "db-auth-error", "db-build-error", "fresh", "unmanaged", "web-add-fails", "web1", "web2"];

const client = pkgcloud.compute.createClient({
  provider: "rackspace",
  username: "demo",
  apiKey: "demo-api-key",
  region: "DFW",
  authUrl: url,
});
const call = (name, ...args) => util.promisify(client[name].bind(client))(...args);

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const checks = [
  ["getServers (servers/detail)", async () => {
    const servers = await call("getServers");
    const names = servers.map((s) => s.name).sort();
    expect(JSON.stringify(names) === JSON.stringify(DFW), `names: ${names}`);
    expect(servers.every((s) => s.flavorId && s.imageId), "every server has a flavorId and an imageId");
  }],
  ["getServers({name: '^web1$'})", async () => {
    const found = await call("getServers", { name: "^web1$" });
    expect(found.length === 1 && found[0].id === WEB1, `found: ${found.map((s) => s.name)}`);
  }],
  ["getServer: status, flavor and image by name, metadata", async () => {
    const server = await call("getServer", WEB1);
    expect(server.name === "web1" && server.status === "RUNNING", `${server.name} ${server.status}`);
    const flavor = await call("getFlavor", server.flavorId);
    expect(flavor.name === "1 GB General Purpose v1" && flavor.ram === 1024, `flavor ${flavor.name}`);
    const image = await call("getImage", server.imageId);
    expect(image.name === "Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)", `image ${image.name}`);
    expect(server.metadata.rackconnect_automation_status === "DEPLOYED", JSON.stringify(server.metadata));
  }],
  ["getFlavors and getImages", async () => {
    const flavors = await call("getFlavors");
    expect(flavors.map((f) => f.id).join() === "general1-1,general1-2,general1-4", `flavors ${flavors.map((f) => f.id)}`);
    const images = await call("getImages");
    expect(images.length === 2 && images.every((i) => i.status === "ACTIVE"), `images ${images.map((i) => i.name)}`);
  }],
];

(async () => {
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      console.log(`ok - pkgcloud: ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL - pkgcloud: ${name}: ${error && error.message ? error.message : error}`);
      if (error && error.stack) console.error(error.stack);
    }
  }
  process.exit(failed ? 1 : 0);
})();
