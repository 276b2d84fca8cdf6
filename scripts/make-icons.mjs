// Draws the app icons (a small mesh of nodes) as PNGs into public/icons/. Run once; the output is
// committed because it is tiny. Pure Node: a rasteriser and a PNG encoder on node:zlib.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = buf => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function png (size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
function draw (size, maskable) {
  const px = Buffer.alloc(size * size * 4)
  const bg = [17, 24, 39], line = [99, 179, 237], node = [250, 204, 21]
  const nodes = Array.from({ length: 6 }, (_, i) => {
    const a = (i / 6) * Math.PI * 2 - Math.PI / 2
    const r = maskable ? 0.28 : 0.34
    return [0.5 + r * Math.cos(a), 0.5 + r * Math.sin(a)]
  })
  nodes.push([0.5, 0.5])
  const segDist = (x, y, [ax, ay], [bx, by]) => {
    const dx = bx - ax, dy = by - ay
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return Math.hypot(x - ax - t * dx, y - ay - t * dy)
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size, v = (y + 0.5) / size
      let c = bg, a = 255
      const corner = 0.18
      if (!maskable) {
        const qx = Math.max(corner - u, u - (1 - corner), 0), qy = Math.max(corner - v, v - (1 - corner), 0)
        if (Math.hypot(qx, qy) > corner) a = 0
      }
      let dl = Infinity
      for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) dl = Math.min(dl, segDist(u, v, nodes[i], nodes[j]))
      if (dl < 0.012) c = line
      if (nodes.some(([nx, ny]) => Math.hypot(u - nx, v - ny) < 0.055)) c = node
      const o = (y * size + x) * 4
      px[o] = c[0]; px[o + 1] = c[1]; px[o + 2] = c[2]; px[o + 3] = a
    }
  }
  return png(size, px)
}
mkdirSync('public/icons', { recursive: true })
for (const s of [192, 512]) writeFileSync(`public/icons/icon-${s}.png`, draw(s, false))
writeFileSync('public/icons/maskable-512.png', draw(512, true))
writeFileSync('public/icons/apple-touch-icon.png', draw(180, false))
console.log('icons written to public/icons/')
