#!/usr/bin/env python3
"""agree.py CAPTURE KEYDIR DECODER_JSONL: our decoder against tshark.

CAPTURE was decoded by `ikev2-decode --json --ikev2-keys KEYDIR/ikev2_decryption_table
--esp-keys KEYDIR/esp_sa` into DECODER_JSONL; tshark reads the same capture with
WIRESHARK_CONFIG_DIR=KEYDIR. Checks, frame by frame:
  * every IKE message parsed without error, had keys when encrypted, and
    every SK/SKF payload verified its ICV;
  * the payload chain (outer, then decrypted or reassembled inner; SA
    proposals/transforms left out) equals tshark's; for an IKE SA encrypted
    with ChaCha20-Poly1305 (RFC 7634), which Wireshark 4.0 cannot decrypt, only
    the outer chain is compared (our decoder still verifies every ICV), and
    the summary counts those messages;
  * every ESP packet opened, and its inner IP header (src, dst, protocol,
    length) equals the one tshark decrypted (ChaCha20-Poly1305 ESP SAs:
    opened by ours only, counted in the summary).
Prints a one-line summary; exits 1 listing the disagreements.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FIELDS = ['frame.number', 'isakmp.typepayload', 'ip.src', 'ip.dst', 'ip.proto',
          'ip.len', 'esp.icv_good']


# Encryption names our decoder reads but Wireshark 4.0's tables reject (it
# then drops the whole table): ChaCha20-Poly1305 (RFC 7634) for IKE and ESP
TSHARK_CANNOT = ('CHACHA20-POLY1305', 'ChaCha20 with Poly1305')


def split_keys(keydir, tmp):
    """Copies KEYDIR into TMP without the SAs tshark cannot load; returns
    the (SPIi, SPIr) of those IKE SAs and the SPIs ('0x...') of those ESP SAs."""
    opaque = set()
    for name in os.listdir(keydir):
        src = os.path.join(keydir, name)
        if name not in ('ikev2_decryption_table', 'esp_sa'):
            shutil.copy(src, tmp)
            continue
        with open(src) as f, open(os.path.join(tmp, name), 'w') as out:
            for row in f:
                cols = [c.strip('"') for c in row.split(',')]
                if name == 'esp_sa' and len(cols) > 4 and cols[4].startswith(TSHARK_CANNOT):
                    opaque.add(cols[3].lower())
                elif name != 'esp_sa' and len(cols) > 4 and cols[4].startswith(TSHARK_CANNOT):
                    opaque.add((cols[0], cols[1]))
                else:
                    out.write(row)
    return opaque


def tshark(capture, keydir):
    cmd = ['tshark', '-n', '-r', capture, '-T', 'fields', '-E', 'occurrence=a',
           '-E', 'aggregator=|']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, env=dict(os.environ, WIRESHARK_CONFIG_DIR=keydir),
                         check=True, capture_output=True, text=True).stdout
    frames = {}
    for line in out.splitlines():
        col = line.split('\t') + [''] * len(FIELDS)
        lst = [[x for x in c.split('|') if x] for c in col]
        chain = [int(t) for t in lst[1] if int(t) not in (2, 3)]
        inner = None
        if lst[6] == ['1'] and len(lst[2]) == 2:
            inner = (lst[2][1], lst[3][1], int(lst[4][1]), int(lst[5][1]))
        frames[int(col[0])] = (chain, inner)
    return frames


def flatten(payloads, chain, problems, where):
    for p in payloads:
        chain.append(p['type_value'])
        if p['type'] in ('SK', 'SKF'):
            if p.get('icv') != 'ok':
                problems.append('%s: %s ICV %s (%s)' % (where, p['type'], p.get('icv'), p.get('decrypt')))
        # SKF reports its progress in `decrypt`; anything else there is a fault
        note = p.get('decrypt') or ''
        if note and not note.startswith(('decrypted fragment', 'reassembled from')):
            problems.append('%s: %s: %s' % (where, p['type'], p['decrypt']))
        flatten(p.get('inner') or [], chain, problems, where)


def main():
    capture, keydir, jsonl = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        opaque = split_keys(keydir, tmp)
        theirs = tshark(capture, tmp)
    problems = []
    counts = {'ike': 0, 'sealed': 0, 'esp': 0, 'opaque': 0}  # opaque: ChaCha20, ours only
    seen = set()
    for line in open(jsonl):
        r = json.loads(line)
        where = 'frame %d' % r['frame']
        seen.add(r['frame'])
        t_chain, t_inner = theirs.get(r['frame'], ([], None))
        if r['kind'] == 'ikev2':
            counts['ike'] += 1
            if r.get('error'):
                problems.append('%s: decoder error: %s' % (where, r['error']))
            sealed = r['payloads'] and r['payloads'][-1]['type'] in ('SK', 'SKF')
            if sealed:
                counts['sealed'] += 1
                if r.get('keys') is not True:
                    problems.append('%s: no keys for this IKE SA' % where)
            chain = []
            flatten(r['payloads'], chain, problems, where)
            if sealed and (r.get('spi_i'), r.get('spi_r')) in opaque:
                counts['opaque'] += 1
                chain = [p['type_value'] for p in r['payloads']]
            if chain != t_chain:
                problems.append('%s: chain %s, tshark %s' % (where, chain, t_chain))
        elif r['kind'] == 'esp':
            counts['esp'] += 1
            i = r.get('inner')
            ours = (i['src'], i['dst'], i['protocol'], i['len']) if i else None
            if ours is None:
                problems.append('%s: ESP %s did not open' % (where, r.get('spi')))
            elif str(r.get('spi')).lower() in opaque:
                counts['opaque'] += 1  # opened (and its ICV checked) by ours only
            elif ours != t_inner:
                problems.append('%s: ESP inner %s, tshark %s' % (where, ours, t_inner))
        elif r['kind'] != 'nat_keepalive':
            problems.append('%s: %s %s' % (where, r['kind'], r.get('error', '')))
    for frame, (chain, inner) in theirs.items():
        if (chain or inner) and frame not in seen:
            problems.append('frame %d: tshark shows it, the decoder does not' % frame)
    if counts['ike'] == 0:
        problems.append('no IKE message in the capture')
    opaque = '%d ChaCha20-Poly1305 (tshark 4.0 cannot decrypt: ours only); ' % counts['opaque'] \
        if counts['opaque'] else ''
    print('%d IKE messages (%d encrypted), %d ESP packets; %s%d disagreement(s)' % (
        counts['ike'], counts['sealed'], counts['esp'], opaque, len(problems)))
    for p in problems:
        print('  ' + p)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
