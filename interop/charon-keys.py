#!/usr/bin/env python3
"""charon-keys.py --out DIR LOG...: Wireshark key tables from charon logs.

Reads charon file logs written with `ike = 4` and `chd = 4` (interop/lab.sh
sets both) and writes DIR/ikev2_decryption_table, DIR/esp_sa and
DIR/preferences, the files `tshark` reads from WIRESHARK_CONFIG_DIR and that
`ikev2-decode --ikev2-keys/--esp-keys` accepts.

How the log is read (strongSwan 5.9 wording):
  * IKE SPIs: the NAT-D hash input `natd_chunk` (SPIi | SPIr | address | port);
    the last one with a non-zero SPIr before the keys wins.
  * IKE keys: `Sk_ei/Sk_er/Sk_ai/Sk_ar secret` dumps; the algorithms from
    `selected proposal: IKE:...`.
  * CHILD keys: `encryption/integrity initiator/responder key` dumps. Which
    side initiated the exchange that made them follows from the last
    `parsed <exchange> request|response` line of that IKE SA: a response means
    this daemon was the initiator. Each following `adding inbound|outbound ESP
    SA` / `SPI 0x.., src .. dst ..` pair becomes one `esp_sa` row.
  * Rekeyed IKE SAs: charon logs the new Sk_* under the old IKE SA but never
    their SPIs (no NAT-D in CREATE_CHILD_SA). Give `--decoded JSONL`
    (`ikev2-decode --json` of the capture, decrypted with the tables of a
    first run) and the SPIs are taken from the IKE proposal of each
    CREATE_CHILD_SA request and response under the old SA, matched in order.
    Rekeys of an already rekeyed IKE SA are not followed.
"""
import argparse
import os
import re
import sys

LINE = re.compile(r'\[(?P<grp>[A-Z]+)\] <(?:[^|>]*\|)?(?P<uid>\d+)> (?P<msg>.*)$')
DUMP = re.compile(r'^(?P<name>.+?) => (?P<len>\d+) bytes @ 0x[0-9a-f]+$')
HEX = re.compile(r'^\s*\d+: ((?:[0-9A-F]{2} )+)')
SPI = re.compile(r'^\s*SPI 0x(?P<spi>[0-9a-f]+), src (?P<src>\S+) dst (?P<dst>\S+)')

# Wireshark 4.0 UAT names (epan/dissectors/packet-isakmp.c, packet-ipsec.c)
IKE_INTEG = {
    'HMAC_SHA1_96': 'HMAC_SHA1_96 [RFC2404]',
    'HMAC_SHA2_256_128': 'HMAC_SHA2_256_128 [RFC4868]',
    'HMAC_SHA2_384_192': 'HMAC_SHA2_384_192 [RFC4868]',
    'HMAC_SHA2_512_256': 'HMAC_SHA2_512_256 [RFC4868]',
}
ESP_INTEG = {
    'HMAC_SHA1_96': 'HMAC-SHA-1-96 [RFC2404]',
    'HMAC_SHA2_256_128': 'HMAC-SHA-256-128 [RFC4868]',
    'HMAC_SHA2_384_192': 'HMAC-SHA-384-192 [RFC4868]',
    'HMAC_SHA2_512_256': 'HMAC-SHA-512-256 [RFC4868]',
}


CHACHA20_IKE = 'CHACHA20-POLY1305 [RFC7634]'
CHACHA20_ESP = 'ChaCha20 with Poly1305 [RFC7634]'


def ike_algs(proposal):
    """'AES_CBC_128/HMAC_SHA2_256_128/PRF_...' -> (encryption, integrity)."""
    parts = proposal.split('/')
    m = re.fullmatch(r'AES_GCM_(8|12|16)_(128|192|256)', parts[0])
    if m:
        return 'AES-GCM-%s with %s octet ICV [RFC5282]' % (m[2], m[1]), 'NONE [RFC4306]'
    if parts[0] == 'CHACHA20_POLY1305':
        # the name newer Wireshark uses; 4.0 cannot load it (agree.py copes)
        return CHACHA20_IKE, 'NONE [RFC4306]'
    m = re.fullmatch(r'AES_CBC_(128|192|256)', parts[0])
    if not m:
        return None
    integ = next((IKE_INTEG[p] for p in parts[1:] if p in IKE_INTEG), None)
    return ('AES-CBC-%s [RFC3602]' % m[1], integ) if integ else None


def esp_algs(proposal):
    parts = proposal.split('/')
    m = re.fullmatch(r'AES_GCM_(8|12|16)_\d+', parts[0])
    if m:  # key = AES key | 4-byte salt, as charon logs it
        return 'AES-GCM with %s octet ICV [RFC4106]' % m[1], 'NULL'
    if parts[0] == 'CHACHA20_POLY1305':  # key | 4-byte salt; not in Wireshark 4.0
        return CHACHA20_ESP, 'NULL'
    if not parts[0].startswith('AES_CBC'):
        return None
    return 'AES-CBC [RFC3602]', next((ESP_INTEG[p] for p in parts[1:] if p in ESP_INTEG), 'NULL')


class IkeSa:
    def __init__(self):
        self.spis = None
        self.proposal = None
        self.sk = {}
        self.written = False
        self.rekeys = []  # (proposal, {ei, er, ai, ar}) of IKE SAs made by rekeying this one
        self.esp = None
        self.child = {}
        self.we_initiated = False
        self.adding = None


def ike_row(spis, proposal, sk):
    algs = ike_algs(proposal or '')
    if not algs or not {'ei', 'er'} <= sk.keys():
        return None
    aead = algs[1].startswith('NONE')
    if not aead and not {'ai', 'ar'} <= sk.keys():
        return None
    return '%s,%s,%s,%s,"%s",%s,%s,"%s"' % (
        spis[0], spis[1], sk['ei'], sk['er'], algs[0],
        '' if aead else sk['ai'], '' if aead else sk['ar'], algs[1])


def rekeyed_spis(jsonl):
    """{(old SPIi, old SPIr): [(new SPIi, new SPIr), ...]} from decoded IKE rekeys."""
    import json
    pending, found = {}, {}
    for line in open(jsonl):
        r = json.loads(line)
        if r.get('kind') != 'ikev2' or r.get('exchange') != 'CREATE_CHILD_SA':
            continue
        spi = None
        for outer in r['payloads']:
            for p in outer.get('inner') or []:
                for prop in p.get('proposals') or []:
                    if prop.get('protocol') == 'IKE' and prop.get('spi'):
                        spi = prop['spi']
        if spi is None:
            continue
        old = (r['spi_i'], r['spi_r'])
        if not r['response']:
            pending[old + (r['message_id'],)] = spi
        elif old + (r['message_id'],) in pending:
            found.setdefault(old, []).append((pending.pop(old + (r['message_id'],)), spi))
    return found


def read_log(path, ike_rows, esp_rows, rekeyed):
    sas = {}
    dump = None  # (sa, name, length, hex so far)
    for raw in open(path, errors='replace'):
        m = LINE.search(raw.rstrip('\n'))
        if not m:
            continue
        sa = sas.setdefault(m['uid'], IkeSa())
        msg = m['msg']
        if dump is not None:
            h = HEX.match(msg)
            if h and dump[0] is sa:
                dump[3].append(h[1].replace(' ', '').lower())
                value = ''.join(dump[3])
                if len(value) >= 2 * dump[2]:
                    store(sa, m['grp'], dump[1], value[:2 * dump[2]])
                    dump = None
                continue
            dump = None
        d = DUMP.match(msg)
        if d:
            dump = (sa, d['name'], int(d['len']), [])
            continue
        if msg.startswith('selected proposal: IKE:'):
            sa.proposal = msg.split(':', 2)[2].strip()
        elif msg.startswith('selected proposal: ESP:'):
            sa.esp = msg.split(':', 2)[2].strip()
        elif msg.startswith('parsed '):
            sa.we_initiated = ' response ' in msg
        elif msg.startswith('adding inbound ESP SA'):
            sa.adding = 'in'
        elif msg.startswith('adding outbound ESP SA'):
            sa.adding = 'out'
        elif sa.adding and SPI.match(msg):
            s = SPI.match(msg)
            algs = esp_algs(sa.esp or '')
            if algs and 'encryption initiator key' in sa.child:
                # outbound traffic of the exchange initiator uses the initiator keys
                who = 'initiator' if (sa.adding == 'out') == sa.we_initiated else 'responder'
                esp_rows.append('"IPv4","%s","%s","0x%s","%s","0x%s","%s","0x%s"' % (
                    s['src'], s['dst'], s['spi'], algs[0], sa.child['encryption %s key' % who],
                    algs[1], sa.child.get('integrity %s key' % who, '')))
            sa.adding = None
        if not sa.written and sa.spis:
            row = ike_row(sa.spis, sa.proposal, sa.sk)
            if row:
                ike_rows.append(row)
                sa.written = True
    for sa in sas.values():
        for (proposal, sk), spis in zip(sa.rekeys, rekeyed.get(sa.spis, [])):
            row = ike_row(spis, proposal, sk)
            if row:
                ike_rows.append(row)


def store(sa, grp, name, value):
    if name == 'natd_chunk' and value[16:32] != '0' * 16:
        sa.spis = (value[0:16], value[16:32])
    elif name.startswith('Sk_') and name.endswith(' secret'):
        if sa.written:  # keys of an IKE SA that replaces this one
            if name == 'Sk_d secret' or not sa.rekeys:
                sa.rekeys.append((sa.proposal, {}))
            sa.rekeys[-1][1][name[3:5]] = value
        else:
            sa.sk[name[3:5]] = value
    elif grp == 'CHD' and name.endswith(' key'):
        if name == 'encryption initiator key':
            sa.child = {}
        sa.child[name] = value


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--decoded', help='ikev2-decode --json output, for rekeyed IKE SAs')
    ap.add_argument('--table', action='append', default=[],
                    help='an ikev2_decryption_table to merge (e.g. ikev2-udp --key-log)')
    ap.add_argument('logs', nargs='*')
    args = ap.parse_args()
    rekeyed = rekeyed_spis(args.decoded) if args.decoded else {}
    ike_rows, esp_rows = [], []
    for table in args.table:
        ike_rows += [r.strip() for r in open(table) if r.strip() and not r.startswith('#')]
    # A program's own table wins over rows guessed from charon's logs for the
    # same SPIs (Wireshark uses the last row of a pair; two rekeys of one IKE
    # SA, a collision, cannot be matched to charon's log in order).
    known = {tuple(r.split(',')[:2]) for r in ike_rows}
    from_logs = []
    for log in args.logs:
        read_log(log, from_logs, esp_rows, rekeyed)
    ike_rows += [r for r in from_logs if tuple(r.split(',')[:2]) not in known]
    ike_rows = list(dict.fromkeys(ike_rows))
    esp_rows = list(dict.fromkeys(esp_rows))
    os.makedirs(args.out, exist_ok=True)
    for name, rows in (('ikev2_decryption_table', ike_rows), ('esp_sa', esp_rows)):
        with open(os.path.join(args.out, name), 'w') as f:
            f.write('# written by interop/charon-keys.py\n')
            f.writelines(r + '\n' for r in rows)
    with open(os.path.join(args.out, 'preferences'), 'w') as f:
        f.write('esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n')
    print('%d IKE SA(s), %d ESP SA(s) -> %s' % (len(ike_rows), len(esp_rows), args.out), file=sys.stderr)


if __name__ == '__main__':
    main()
