import { describe, expect, it } from "vitest";
import { lastReadyStatus, namespaced } from "./pglite-wire";

const cstr = (s: string) => Buffer.from(`${s}\0`);

describe("namespaced", () => {
  it("prefixes a named statement in Parse and reports it as created", () => {
    const body = Buffer.concat([cstr("s1"), cstr("select 1"), Buffer.from([0, 0])]);
    const out = namespaced("P", body, "c7_");
    expect(out.created).toBe("c7_s1");
    expect(out.body).toEqual(Buffer.concat([cstr("c7_s1"), cstr("select 1"), Buffer.from([0, 0])]));
  });

  it("leaves the unnamed statement and portal unnamed", () => {
    const body = Buffer.concat([cstr(""), cstr(""), Buffer.from([0, 0, 0, 0, 0, 0])]);
    expect(namespaced("B", body, "c7_").body).toEqual(body);
    expect(namespaced("P", Buffer.concat([cstr(""), cstr("select 1"), Buffer.from([0, 0])]), "c7_").created).toBeUndefined();
  });

  it("prefixes names in Bind, Describe, Close and Execute", () => {
    const bind = namespaced("B", Buffer.concat([cstr("p"), cstr("s1"), Buffer.from([0, 0])]), "c2_").body;
    expect(bind).toEqual(Buffer.concat([cstr("c2_p"), cstr("c2_s1"), Buffer.from([0, 0])]));
    expect(namespaced("D", Buffer.concat([Buffer.from("S"), cstr("s1")]), "c2_").body).toEqual(
      Buffer.concat([Buffer.from("S"), cstr("c2_s1")]),
    );
    expect(namespaced("C", Buffer.concat([Buffer.from("P"), cstr("p")]), "c2_").body).toEqual(
      Buffer.concat([Buffer.from("P"), cstr("c2_p")]),
    );
    expect(namespaced("E", Buffer.concat([cstr("p"), Buffer.from([0, 0, 0, 0])]), "c2_").body).toEqual(
      Buffer.concat([cstr("c2_p"), Buffer.from([0, 0, 0, 0])]),
    );
  });
});

describe("lastReadyStatus", () => {
  const z = (status: string) => Buffer.concat([Buffer.from([0x5a, 0, 0, 0, 5]), Buffer.from(status)]);
  const complete = Buffer.concat([Buffer.from([0x43, 0, 0, 0, 13]), cstr("SELECT 1")]);

  it("reads the status of the last ReadyForQuery", () => {
    expect(lastReadyStatus(Buffer.concat([complete, z("T"), complete, z("I")]))).toBe("I");
    expect(lastReadyStatus(Buffer.concat([complete, z("E")]))).toBe("E");
  });

  it("is null when the response has none (a Flush mid-exchange)", () => {
    expect(lastReadyStatus(complete)).toBeNull();
  });
});
