// Generated inputs for the browser tests and scripts/measure-web.mjs: the shapes of text
// the playground's users paste, at any size (the same shapes as examples/stages.rs).

/** 64 hex characters, different for every i. */
export function hex(i) {
  return (BigInt(i + 1) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn).toString(16).padStart(16, "0").repeat(4);
}

/** `user uN on #<hash> ~uN:* +@all -@dangerous` lines below an open default user. */
export function openDefaultUsers(n) {
  const lines = ["user default on nopass ~* &* +@all"];
  for (let i = 0; i < n; i++) lines.push(`user u${i} on #${hex(i)} ~u${i}:* +@all -@dangerous`);
  return lines.join("\n") + "\n";
}

/** A mix of the shapes our users write, with the findings they bring (open users,
 * plaintext passwords, +@all); `typos` puts `+gett` on every tenth user. */
export function mixedUsers(n, { typos = false } = {}) {
  const lines = ["user default off"];
  for (let i = 1; i < n; i++) {
    const h = `#${hex(i)}`;
    const get = typos && i % 10 === 3 ? "+gett" : "+get";
    switch (i % 6) {
      case 0: lines.push(`user app${i} on ${h} ~app${i}:* &app${i}:* +@all -@dangerous`); break;
      case 1: lines.push(`user cache${i} on ${h} ~cache:${i}:* resetchannels -@all ${get} +set +del +expire`); break;
      case 2: lines.push(`user ro${i} on >pw${i} %R~* resetchannels -@all +@read -@dangerous`); break;
      case 3: lines.push(`user mon${i} on ${h} resetkeys resetchannels -@all +info +ping ${get} +client|list`); break;
      case 4: lines.push(`user open${i} on nopass ~* &* +@all`); break;
      default: lines.push(`user sel${i} on ${h} ~a${i}:* ${get} (~b${i}:* +set) (%R~c:* +@read)`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Users up to about `bytes` of text. */
export function usersOfSize(bytes, make = mixedUsers) {
  let n = 100;
  while (make(n).length < bytes) n = Math.ceil(n * 1.1);
  return make(n);
}

/** One line of about `bytes`: `user big on #… ` and then `piece(i)` repeated. */
export function longLine(bytes, piece = (i) => ` ~k${i}:*`) {
  const parts = ["user default off\nuser big on #" + hex(0)];
  let len = parts[0].length;
  for (let i = 0; len < bytes; i++) {
    const p = piece(i);
    parts.push(p);
    len += p.length;
  }
  return parts.join("") + "\n";
}

/** 30 lines, one typo (`+gett`) on line 10. */
export function thirtyLines() {
  const lines = ["user default off"];
  for (let i = 1; i < 30; i++) {
    if (i === 9) lines.push(`user app on #${hex(i)} ~app:* -@all +gett +set`);
    else if (i % 3 === 0) lines.push(`user svc${i} on #${hex(i)} ~svc${i}:* +@all`);
    else lines.push(`user ro${i} on #${hex(i)} %R~data${i}:* -@all +@read`);
  }
  return lines.join("\n") + "\n";
}
