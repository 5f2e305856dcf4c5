import { describe, expect, it } from "vitest";
import { cleanFileName, contentDisposition, MAX_NAME_LENGTH } from "./file-name";

describe("cleanFileName", () => {
  it("keeps only the last path part, without control characters, NULs or leading dots", () => {
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("..\\..\\windows\\win.ini")).toBe("win.ini");
    expect(cleanFileName("evil\u0000.txt")).toBe("evil.txt");
    expect(cleanFileName("a\r\nb\u0007.pdf")).toBe("ab.pdf");
    expect(cleanFileName("\u202Egpj.exe")).toBe("gpj.exe");
    expect(cleanFileName(".htaccess")).toBe("htaccess");
    expect(cleanFileName("스크린샷 2024.png")).toBe("스크린샷 2024.png");
  });

  it("names an empty or missing name 'file'", () => {
    expect(cleanFileName(undefined)).toBe("file");
    expect(cleanFileName("../")).toBe("file");
    expect(cleanFileName("\u0000\u0001")).toBe("file");
  });

  it("cuts long names to the limit, keeping the extension", () => {
    const name = cleanFileName(`${"가".repeat(500)}.pdf`);
    expect(Array.from(name)).toHaveLength(MAX_NAME_LENGTH);
    expect(name.endsWith(".pdf")).toBe(true);
  });
});

describe("contentDisposition", () => {
  it("gives an ASCII fallback and the RFC 5987 UTF-8 name", () => {
    expect(contentDisposition("attachment", 'a "b".pdf')).toBe(
      `attachment; filename="a _b_.pdf"; filename*=UTF-8''a%20%22b%22.pdf`,
    );
    expect(contentDisposition("inline", "보고서.png")).toBe(
      `inline; filename="___.png"; filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.png`,
    );
  });
});
