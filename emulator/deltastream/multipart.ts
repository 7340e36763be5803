/**
 * multipart/form-data as POST /v2/statements receives it: parts with a Content-Disposition name
 * (and a filename for files — the vendor's Go SDK writes `form-data; name="request";` with a
 * trailing semicolon, its attachments with `CreateFormFile("attachments", "@name")`).
 */
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError("multipart body without its boundary");
  for (;;) {
    pos += delim.length;
    if (body.slice(pos, pos + 2).toString() === "--") break; // closing delimiter
    if (body.slice(pos, pos + 2).toString() === "\r\n") pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const next = body.indexOf(delim, pos);
    if (next < 0) throw new MultipartError("multipart body is truncated (no closing boundary)");
    let chunk = body.slice(pos, next);
    // the CRLF before the next delimiter belongs to it
    if (chunk.slice(-2).toString() === "\r\n") chunk = chunk.slice(0, -2);
    else if (chunk[chunk.length - 1] === 0x0a) chunk = chunk.slice(0, -1);
    let sep = chunk.indexOf("\r\n\r\n");
    let sepLen = 4;
    if (sep < 0) {
      sep = chunk.indexOf("\n\n");
      sepLen = 2;
    }
    if (sep < 0) throw new MultipartError("multipart part without headers");
    const headers = chunk.slice(0, sep).toString("utf8").split(/\r?\n/);
    const data = chunk.slice(sep + sepLen);
    let name: string | undefined;
    let filename: string | undefined;
    let contentType: string | undefined;
    for (const h of headers) {
      const i = h.indexOf(":");
      if (i < 0) continue;
      const key = h.slice(0, i).trim().toLowerCase();
      const value = h.slice(i + 1).trim();
      if (key === "content-disposition") {
        name = /(?:^|;)\s*name="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*name=([^;\s]+)/i.exec(value)?.[1];
        filename = /(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*filename=([^;\s]+)/i.exec(value)?.[1];
        if (filename) filename = filename.replace(/\\(.)/g, "$1");
      } else if (key === "content-type") contentType = value;
    }
    if (!name) throw new MultipartError("multipart part without a name");
    parts.push({ name, filename, contentType, data });
    pos = next;
  }
  return parts;
}
