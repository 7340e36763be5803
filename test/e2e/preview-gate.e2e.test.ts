/**
 * End to end: preview is the gate. Everything knowable before apply fails `pulumi preview`
 * (real CLI, Automation API), naming the field or setting and the fix, with no write request
 * reaching the vendor: no endpoint, a wrong API key or password, a size or configId that is not a
 * VW configuration, a role that does not exist, a typo inside an import job's configuration. A
 * malformed secret input is reported without its value. A no-op preview of an estate makes one
 * read per vendor list (VW configurations, roles), not one per resource.
 */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { startAltertable, RunningAltertable } from "../helpers/altertable";
import { inlineStack, TestStack } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { altertable, bytehouse } from "../../sdk";

type Program = () => Promise<void | Record<string, unknown>>;

interface Outcome {
  ok: boolean;
  text: string;
  /** Requests the vendor saw during the preview. */
  requests: { method: string; path: string; status: number }[];
}

const USER = 1336688750;

describe("e2e: preview is the gate", function () {
  this.timeout(900_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;

  const goodConfig = async () => {
    await ts.stack.setConfig("warehouse:bytehouseEndpoint", { value: emu.url });
    await ts.stack.setConfig("warehouse:bytehouseApiKey", { value: emu.apiKey, secret: true });
  };

  async function preview(program: Program): Promise<Outcome> {
    ts.stack.workspace.program = program;
    const seen = emu.requests().length;
    let text = "";
    let ok = true;
    try {
      await ts.stack.preview({ onOutput: (s) => (text += s) });
    } catch (e) {
      ok = false;
      text += String(e);
    }
    return { ok, text, requests: emu.requests().slice(seen) };
  }

  const writes = (o: Outcome) => o.requests.filter((r) => r.method !== "GET");
  const oneVw = (extra: Record<string, unknown> = {}): Program => async () => {
    new bytehouse.VirtualWarehouse("vw", { name: "gate_vw", autoSuspend: 5, ...(extra as { size?: string }) });
  };

  before(async () => {
    delete process.env.BYTEHOUSE_ENDPOINT;
    delete process.env.BYTEHOUSE_API_KEY;
    emu = await startByteHouse();
    ts = await inlineStack("gate", oneVw({ size: "XS" }), {
      "warehouse:bytehouseEndpoint": { value: emu.url },
      "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true },
    });
  });
  after(async () => {
    await ts?.stack.destroy().catch(() => undefined);
    await ts?.dispose();
    await emu?.stop();
  });

  it("no endpoint configured: names the settings to set", async () => {
    await ts.stack.removeConfig("warehouse:bytehouseEndpoint");
    try {
      const o = await preview(oneVw({ size: "XS" }));
      expect(o.ok, o.text).to.equal(false);
      expect(o.text).to.contain("warehouse:bytehouseEndpoint").and.contain("BYTEHOUSE_ENDPOINT");
      expect(o.requests).to.deep.equal([]);
    } finally {
      await goodConfig();
    }
  });

  it("a wrong API key: the key in warehouse:bytehouseApiKey was refused, the key is not shown", async () => {
    const wrong = "wrong-key-Zq7xW41";
    await ts.stack.setConfig("warehouse:bytehouseApiKey", { value: wrong, secret: true });
    try {
      const o = await preview(oneVw({ size: "XS" }));
      expect(o.ok, o.text).to.equal(false);
      expect(o.text).to.contain("warehouse:bytehouseApiKey").and.contain("was refused").and.not.contain(wrong);
      expect(writes(o)).to.deep.equal([]);
    } finally {
      await goodConfig();
    }
  });

  it('size "XXL": not a configuration, the available ones listed', async () => {
    const o = await preview(oneVw({ size: "XXL" }));
    expect(o.ok, o.text).to.equal(false);
    expect(o.text).to.contain('size "XXL" is not a virtual warehouse configuration; available: XS, S, M, L, XL');
    expect(writes(o)).to.deep.equal([]);
  });

  it("an unknown configId: not a configuration, the available ids listed", async () => {
    const o = await preview(oneVw({ configId: 999 }));
    expect(o.ok, o.text).to.equal(false);
    expect(o.text).to.contain("configId 999 is not a virtual warehouse configuration; available: 123456 (XS)");
    expect(writes(o)).to.deep.equal([]);
  });

  it("a role that does not exist (RoleAssignment and RolePermission)", async () => {
    const a = await preview(async () => {
      new bytehouse.RoleAssignment("ra", { userId: USER, roleName: "Auditors" });
    });
    expect(a.ok, a.text).to.equal(false);
    expect(a.text).to.contain('role "Auditors" does not exist').and.contain("existing roles: AccountAdmin");
    const p = await preview(async () => {
      new bytehouse.RolePermission("rp", { roleName: "Auditorz", resourceId: "sales", objectType: "DATABASE", action: "SELECT" });
    });
    expect(p.ok, p.text).to.equal(false);
    expect(p.text).to.contain('role "Auditorz" does not exist');
    expect([...writes(a), ...writes(p)]).to.deep.equal([]);
  });

  it("a typo inside an import job's configuration names the path", async () => {
    const o = await preview(async () => {
      new bytehouse.ImportJob("job", {
        name: "gate_job",
        connectionId: 0,
        configuration: { source: { format: "CSV" }, sink: { database: "sales", tabel: "orders" } } as never,
      });
    });
    expect(o.ok, o.text).to.equal(false);
    expect(o.text).to.contain("configuration.sink").and.contain('"tabel"').and.contain("known fields: database, table, mode");
    expect(writes(o)).to.deep.equal([]);
  });

  // Every kind with secret inputs: Connection (data) and MetadataSubscription (token).
  const secretCases: { what: string; secret: string; expect: string; program: (secret: string) => Program }[] = [
    {
      what: "Connection.data given as a string",
      secret: "conn-secret-Qv93kd",
      expect: "bytehouse.Connection data",
      program: (v) => async () => void new bytehouse.Connection("c1", { name: "gate_c1", type: "S3", data: v as never }),
    },
    {
      what: "a LOCAL Connection.data without its path, holding a secret",
      secret: "local-secret-Hx27pw",
      expect: "a LOCAL connection needs data.path",
      program: (v) => async () => void new bytehouse.Connection("c2", { name: "gate_c2", type: "LOCAL", data: { password: v } }),
    },
    {
      what: "MetadataSubscription.token too short",
      secret: "Tk9zW",
      expect: "bytehouse.MetadataSubscription token",
      program: (v) => async () => void new bytehouse.MetadataSubscription("sub", { accountId: "2100042608", userId: "2100000002", token: v }),
    },
  ];
  for (const c of secretCases) {
    it(`a malformed secret input is never echoed: ${c.what}`, async () => {
      const o = await preview(c.program(c.secret));
      expect(o.ok, o.text).to.equal(false);
      expect(o.text).to.contain(c.expect).and.not.contain(c.secret);
      expect(writes(o)).to.deep.equal([]);
    });
  }

  it("a no-op preview of an estate reads each vendor list once, whatever the number of resources", async () => {
    const estate: Program = async () => {
      for (let i = 0; i < 6; i++) new bytehouse.VirtualWarehouse(`vw${i}`, { name: `gate_vw_${i}`, size: ["XS", "S", "M"][i % 3], autoSuspend: 5 });
      for (const role of ["Analyst", "ReadOnly", "DataAdmin"]) {
        new bytehouse.RoleAssignment(`ra-${role}`, { userId: USER, roleName: role });
        new bytehouse.RolePermission(`rp-${role}`, { roleName: role, resourceId: "*", objectType: "DATABASE", action: "SELECT" });
      }
    };
    ts.stack.workspace.program = estate;
    await ts.stack.up();
    let text = "";
    const seen = emu.requests().length;
    const p = await ts.stack.preview({ onOutput: (s) => (text += s) });
    const reads = emu.requests().slice(seen);
    expect(p.changeSummary.same, text).to.equal(13); // the stack and 12 resources
    const byPath: Record<string, number> = {};
    for (const r of reads) byPath[`${r.method} ${r.path}`] = (byPath[`${r.method} ${r.path}`] ?? 0) + 1;
    console.log(`      reads during a no-op preview of 12 resources: ${JSON.stringify(byPath)}`);
    expect(byPath).to.deep.equal({ "GET /v1/virtual-warehouse-configs": 1, "GET /v1/iam/roles": 1 });
  });
});

describe("e2e: preview is the gate (Altertable credentials)", function () {
  this.timeout(300_000);
  let emu: RunningAltertable;
  let ts: TestStack;

  before(async () => {
    emu = await startAltertable();
  });
  after(async () => {
    await ts?.dispose();
    await emu?.stop();
  });

  it("a wrong password: names warehouse:altertablePassword, shows neither password, sends no write", async () => {
    const wrong = "wrong-pass-Jd82nq";
    ts = await inlineStack(
      "gate-at",
      async () => {
        new altertable.Schema("s", { catalog: "lakehouse", name: "gate" });
      },
      {
        "warehouse:altertableEndpoint": { value: emu.url },
        "warehouse:altertableUsername": { value: emu.username },
        "warehouse:altertablePassword": { value: wrong, secret: true },
      },
    );
    const seen = emu.requests().length;
    let text = "";
    const err = await ts.stack.preview({ onOutput: (s) => (text += s) }).catch((e: Error) => e);
    text += String(err);
    expect(err, text).to.be.instanceOf(Error);
    expect(text).to.contain("warehouse:altertablePassword").and.contain("was refused").and.not.contain(wrong).and.not.contain(emu.password);
    const sent = emu.requests().slice(seen);
    expect(sent.length).to.be.greaterThan(0);
    expect(sent.filter((r) => r.path !== "/query"), "only the verifying SELECT 1").to.deep.equal([]);
  });
});
