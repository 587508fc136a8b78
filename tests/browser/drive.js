#!/usr/bin/env node
// Drives two headless Chromium instances (Debian's /usr/bin/chromium through
// playwright-core; no browser download) through one or more WebRTC sessions
// over the signaling server of signaling.js, and writes the ground truth the
// browsers report (icecandidate events, local descriptions, getStats()).
//
//   node drive.js --mode loopback --out expected.json
//   node drive.js --mode wss --out expected.json --sdp-dir DIR --internals-out FILE
//   node drive.js --mode restart --out expected.json
//
// Modes:
//   loopback  run "all" then run "relay" (ws:// signaling)
//   wss       one run "all" with wss:// signaling; also saves each peer's
//             localDescription.sdp after gathering completed, and tries to
//             download a chrome://webrtc-internals dump from the offerer.
//   restart   one run "restart" like "all" (ws:// signaling); after a few
//             data-channel messages the offerer does an ICE restart
//             (createOffer({iceRestart: true})) over the same pc and
//             signaling socket; messages keep flowing across it; closes
//             --after-restart-ms (1500) after the new pair is selected.
// Exit status: 0 if every run connected, 1 otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const mode = arg('mode', 'loopback');
const outFile = arg('out', '');
const sdpDir = arg('sdp-dir', '');
const internalsOut = arg('internals-out', '');
const executablePath = arg('chromium', '/usr/bin/chromium');
const pageUrl = arg('page-url', 'http://127.0.0.1:18080/peer.html');
const wsUrl = arg('ws-url', mode === 'wss' ? 'wss://127.0.0.1:18443/' : 'ws://127.0.0.1:18088/');
const turnHost = arg('turn-host', '127.0.0.1');
const turnPort = Number(arg('turn-port', '3478'));
const flowMs = Number(arg('flow-ms', '2000'));
const relayFlowMs = Number(arg('relay-flow-ms', '3000'));
const afterRestartMs = Number(arg('after-restart-ms', '1500'));
const restartMessages = Number(arg('restart-messages', '10'));          // per side, 300 ms apart
const restartAfterMessages = Number(arg('restart-after-messages', '4')); // received by both before the restart
const tmpBase = arg('tmp', os.tmpdir());
// apply trickled remote candidates only after own gathering + remote end-of-candidates (see peer.html)
const holdRemoteCandidates = arg('hold-remote-candidates', '1') === '1';
const TURN_USER = 'rtclab';
const TURN_PASS = 'rtclab-secret';

function log(...a) {
  console.log(new Date().toISOString(), ...a);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Flags, see README.md for why each one is there.
const chromiumArgs = [
  '--no-sandbox',                                  // we run as root
  '--disable-background-networking',               // no traffic of Chrome's own
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--allow-loopback-in-peer-connection',           // gather 127.0.0.1 host candidates
  '--disable-features=WebRtcHideLocalIpsWithMdns', // real IPs instead of <uuid>.local
  '--use-fake-ui-for-media-stream',                // grant getUserMedia without a prompt
  '--use-fake-device-for-media-stream',            // fake microphone (beep)
  '--autoplay-policy=no-user-gesture-required',
];
if (mode === 'wss') chromiumArgs.push('--ignore-certificate-errors'); // self-signed wss:// cert

async function launch(label) {
  const userDataDir = fs.mkdtempSync(path.join(tmpBase, 'chromium-' + label + '-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    acceptDownloads: true,
    ignoreHTTPSErrors: mode === 'wss',
  });
  return { ctx, userDataDir, label };
}

function iceServersFor() {
  return [
    { urls: `stun:${turnHost}:${turnPort}` },
    { urls: `turn:${turnHost}:${turnPort}?transport=udp`, username: TURN_USER, credential: TURN_PASS },
  ];
}

async function openPeer(inst) {
  const page = await inst.ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') log(inst.label, 'console error:', m.text()); });
  page.on('pageerror', (e) => log(inst.label, 'page error:', String(e)));
  await page.goto(pageUrl);
  return page;
}

async function waitFor(page, fn, timeoutMs, what) {
  try {
    await page.waitForFunction(fn, null, { timeout: timeoutMs, polling: 50 });
    return true;
  } catch (e) {
    log('timeout waiting for', what);
    return false;
  }
}

function peerRecord(S, stats) {
  return {
    role: S.role,
    ufrag: S.local ? S.local.ufrag : null,
    pwd: S.local ? S.local.pwd : null,
    setup: S.local ? S.local.setup : null,
    fingerprint: S.local ? S.local.fingerprint : null,
    candidates: S.localCandidates,
    endOfCandidates: S.endOfCandidates,
    candidateEvents: S.localCandidateEvents, // {atMs, candidate: RTCIceCandidate.toJSON() or null}
    endOfCandidatesAtMs: S.endOfCandidatesAtMs,
    remoteCandidatesReceived: S.remoteCandidates,
    firstRemoteCandidateAppliedAtMs: S.firstRemoteCandidateAppliedAtMs,
    gatheringCompleteAtMs: S.gatheringCompleteAtMs,
    offerSentAtMs: S.offerSentAtMs,
    offerReceivedAtMs: S.offerReceivedAtMs,
    answerSentAtMs: S.answerSentAtMs,
    answerReceivedAtMs: S.answerReceivedAtMs,
    iceConnectedAtMs: S.iceConnectedAtMs,
    connectedAtMs: S.connectedAtMs,
    dataChannelOpenAtMs: S.dcOpenAtMs,
    dataChannelMessagesSent: S.dcSent,
    dataChannelMessagesReceived: S.dcReceived,
    iceRole: stats ? stats.iceRole : null,
    dtlsRole: stats ? stats.dtlsRole : null,
    dtlsState: stats ? stats.dtlsState : null,
    tlsVersion: stats ? stats.tlsVersion : null,
    dtlsCipher: stats ? stats.dtlsCipher : null,
    srtpCipher: stats ? stats.srtpCipher : null,
    iceLocalUsernameFragment: stats ? stats.iceLocalUsernameFragment : null,
    selectedCandidatePairChanges: stats ? stats.selectedCandidatePairChanges : null,
    statsTakenAtMs: stats ? stats.takenAtMs : null,
    selectedPairSource: stats ? stats.pairSource : null,
    selectedPair: stats ? stats.selectedPair : null,
    stateChanges: S.states,
  };
}

async function tryInternalsDump(internalsPage, dest) {
  const result = { attempted: true, saved: false, steps: [] };
  try {
    result.steps.push('webrtc-internals url: ' + internalsPage.url());
    const title = await internalsPage.title();
    result.steps.push('title: ' + title);
    // The dump section is a <details>.  Chromium <= ~120 calls it "Create a
    // dump" with a 'Download the "PeerConnection updates and stats data"'
    // button; Chromium 156 calls it "Create a WebRTC-Internals dump" with a
    // 'Download the "webrtc-internals dump"' button (#dump-click-target) and
    // a "Compress result" checkbox (#dump-checkbox, checked by default).
    const summary = internalsPage.locator('details summary', { hasText: /Create a .*dump/i });
    const n = await summary.count();
    result.steps.push('dump summaries found: ' + n + (n ? ' ("' + (await summary.first().innerText()).trim() + '")' : ''));
    if (n) await summary.first().click();
    const compress = internalsPage.locator('#dump-checkbox');
    if (await compress.count()) {
      if (await compress.isChecked()) await compress.uncheck();
      result.steps.push('"Compress result" unchecked');
    }
    let button = internalsPage.locator('#dump-click-target');
    if (!(await button.count())) button = internalsPage.locator('button', { hasText: /PeerConnection updates and stats data|webrtc-internals dump/ });
    const nb = await button.count();
    result.steps.push('download buttons found: ' + nb + (nb ? ' ("' + (await button.first().innerText()).trim() + '")' : ''));
    if (!nb) {
      const html = await internalsPage.content();
      result.steps.push('page html length ' + html.length);
      return result;
    }
    const [download] = await Promise.all([
      internalsPage.waitForEvent('download', { timeout: 15000 }),
      button.first().click(),
    ]);
    result.steps.push('download event: suggested filename ' + download.suggestedFilename());
    const tmp = dest + '.part';
    await download.saveAs(tmp);
    let raw = fs.readFileSync(tmp);
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
      raw = require('zlib').gunzipSync(raw);
      fs.writeFileSync(tmp, raw);
      result.steps.push('download was gzip-compressed; gunzipped');
    }
    const text = raw.toString('utf8');
    let parsed = null;
    try { parsed = JSON.parse(text); } catch (e) { result.steps.push('not JSON: ' + String(e)); }
    if (parsed) {
      fs.renameSync(tmp, dest);
      result.saved = true;
      result.bytes = Buffer.byteLength(text);
      result.peerConnections = Object.keys(parsed.PeerConnections || {}).length;
      result.suggestedFilename = download.suggestedFilename();
    }
  } catch (e) {
    result.steps.push('error: ' + String(e));
  }
  return result;
}

async function runSession(offInst, ansInst, name, policy, opts) {
  log('=== run', name, 'policy', policy);
  const room = `${mode}-${name}-${Date.now()}`;
  const offPage = await openPeer(offInst);
  const ansPage = await openPeer(ansInst);
  const base = { room, name, wsUrl, iceServers: iceServersFor(), iceTransportPolicy: policy, messages: 5, messageIntervalMs: 300, holdRemoteCandidates };
  const startedAtMs = Date.now();
  await ansPage.evaluate((c) => window.rtclabStart(c), { ...base, role: 'answerer' });
  await offPage.evaluate((c) => window.rtclabStart(c), { ...base, role: 'offerer' });
  const connected =
    (await waitFor(offPage, () => window.rtclab.connectedAtMs && window.rtclab.dcOpenAtMs || window.rtclab.error, 30000, name + ' offerer connected')) &&
    (await waitFor(ansPage, () => window.rtclab.connectedAtMs && window.rtclab.dcOpenAtMs || window.rtclab.error, 30000, name + ' answerer connected'));
  let ok = connected && !(await offPage.evaluate(() => window.rtclab.error)) && !(await ansPage.evaluate(() => window.rtclab.error));
  if (ok) {
    await sleep(opts.flowMs);
    // all data-channel messages through, and gathering finished
    await waitFor(offPage, () => window.rtclab.dcReceived >= 5 && window.rtclab.endOfCandidates, 15000, name + ' offerer messages');
    await waitFor(ansPage, () => window.rtclab.dcReceived >= 5 && window.rtclab.endOfCandidates, 15000, name + ' answerer messages');
  }
  const offStats = ok ? await offPage.evaluate(() => window.rtclabStats()) : null;
  const ansStats = ok ? await ansPage.evaluate(() => window.rtclabStats()) : null;
  let internals = null;
  if (ok && opts.internalsPage) internals = await tryInternalsDump(opts.internalsPage, opts.internalsOut);
  const offS = await offPage.evaluate(() => { const s = { ...window.rtclab }; delete s.ws; return s; });
  const ansS = await ansPage.evaluate(() => { const s = { ...window.rtclab }; delete s.ws; return s; });
  if (offS.error || ansS.error) ok = false;
  await offPage.evaluate(() => window.rtclabClose && window.rtclabClose()).catch(() => {});
  await ansPage.evaluate(() => window.rtclabClose && window.rtclabClose()).catch(() => {});
  const closedAtMs = Date.now();
  await sleep(500);
  await offPage.close();
  await ansPage.close();
  if (!ok) {
    log('run', name, 'FAILED; offerer log:\n' + (offS.log || []).join('\n') + '\nanswerer log:\n' + (ansS.log || []).join('\n'));
  }
  const run = {
    name,
    connected: !!ok,
    room,
    iceTransportPolicy: policy,
    iceServers: base.iceServers,
    holdRemoteCandidates,
    signalingUrl: wsUrl,
    startedAtMs,
    offerSentAtMs: offS.offerSentAtMs,
    answerSentAtMs: ansS.answerSentAtMs,
    connectedAtMs: { offerer: offS.connectedAtMs, answerer: ansS.connectedAtMs },
    closedAtMs,
    offerer: peerRecord(offS, offStats),
    answerer: peerRecord(ansS, ansStats),
  };
  if (offStats) run.offerer.candidatePairs = offStats.candidatePairs;
  if (ansStats) run.answerer.candidatePairs = ansStats.candidatePairs;
  return { run, ok, offS, ansS, internals };
}

// ---- mode restart ----------------------------------------------------------
// Per-generation view of one peer: G is window.rtclab (current generation)
// or one of its pastGenerations snapshots; stats = rtclabStats() taken at the
// end of that generation (just before the restart / after the new pair).
function genRecord(role, G, stats) {
  return {
    role,
    ufrag: G.local ? G.local.ufrag : null,
    pwd: G.local ? G.local.pwd : null,
    setup: G.local ? G.local.setup : null,
    fingerprint: G.local ? G.local.fingerprint : null,
    descriptionType: G.local ? G.local.type : null,
    candidates: G.localCandidates,
    endOfCandidates: G.endOfCandidates,
    candidateEvents: G.localCandidateEvents,
    endOfCandidatesAtMs: G.endOfCandidatesAtMs,
    remoteCandidatesReceived: G.remoteCandidates,
    firstRemoteCandidateAppliedAtMs: G.firstRemoteCandidateAppliedAtMs,
    gatheringCompleteAtMs: G.gatheringCompleteAtMs,
    offerSentAtMs: G.offerSentAtMs,
    offerReceivedAtMs: G.offerReceivedAtMs,
    answerSentAtMs: G.answerSentAtMs,
    answerReceivedAtMs: G.answerReceivedAtMs,
    iceLocalUsernameFragment: stats ? stats.iceLocalUsernameFragment : null,
    iceState: stats ? stats.iceState : null,
    selectedCandidatePairChanges: stats ? stats.selectedCandidatePairChanges : null,
    statsTakenAtMs: stats ? stats.takenAtMs : null,
    selectedPairSource: stats ? stats.pairSource : null,
    selectedPair: stats ? stats.selectedPair : null,
    candidatePairs: stats ? stats.candidatePairs : null,
  };
}

const snapshot = (page) => page.evaluate(() => { const s = { ...window.rtclab }; delete s.ws; return s; });

// Polls getStats() until the selected pair uses the new generation's ufrags
// on both ends (local = our new ufrag, remote = the peer's new ufrag).
async function waitNewPair(page, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await page.evaluate(async () => {
      const st = await window.rtclabStats();
      const S = window.rtclab;
      const sp = st.selectedPair;
      const remoteUfrag = window.rtclabPc.remoteDescription ? (window.rtclabPc.remoteDescription.sdp.match(/^a=ice-ufrag:(.*?)\r?$/m) || [])[1] : null;
      const ok = !!(sp && S.generation >= 1 && S.local && sp.local && sp.remote &&
        sp.local.usernameFragment === S.local.ufrag && sp.remote.usernameFragment === remoteUfrag);
      return { ok, at: Date.now(), error: S.error };
    });
    if (r.ok) return r.at;
    if (r.error) return null;
    await sleep(50);
  }
  return null;
}

async function runRestartSession(offInst, ansInst, name) {
  const policy = 'all';
  log('=== run', name, 'policy', policy, '(ICE restart)');
  const room = `${mode}-${name}-${Date.now()}`;
  const offPage = await openPeer(offInst);
  const ansPage = await openPeer(ansInst);
  const base = { room, name, wsUrl, iceServers: iceServersFor(), iceTransportPolicy: policy,
    messages: restartMessages, messageIntervalMs: 300, holdRemoteCandidates, restart: true };
  const startedAtMs = Date.now();
  await ansPage.evaluate((c) => window.rtclabStart(c), { ...base, role: 'answerer' });
  await offPage.evaluate((c) => window.rtclabStart(c), { ...base, role: 'offerer' });
  const ready = (page, what) => waitFor(page, () => window.rtclab.connectedAtMs && window.rtclab.dcOpenAtMs || window.rtclab.error, 30000, what);
  let ok = (await ready(offPage, name + ' offerer connected')) && (await ready(ansPage, name + ' answerer connected'));
  let before = { off: null, ans: null };
  let after = { off: null, ans: null };
  let restartOfferUfrag = null;
  let newPairAtMs = { offerer: null, answerer: null };
  if (ok) {
    // generation 0: some messages through and both sides done gathering
    ok = (await waitFor(offPage, () => window.rtclab.error || window.rtclab.dcReceived >= 4 && window.rtclab.endOfCandidates, 15000, name + ' offerer gen 0')) &&
         (await waitFor(ansPage, () => window.rtclab.error || window.rtclab.dcReceived >= 4 && window.rtclab.endOfCandidates, 15000, name + ' answerer gen 0'));
    if (restartAfterMessages !== 4) {
      await waitFor(offPage, `window.rtclab.dcReceived >= ${restartAfterMessages}`, 15000, 'messages before restart');
      await waitFor(ansPage, `window.rtclab.dcReceived >= ${restartAfterMessages}`, 15000, 'messages before restart');
    }
  }
  if (ok) {
    before.off = await offPage.evaluate(() => window.rtclabStats());
    before.ans = await ansPage.evaluate(() => window.rtclabStats());
    restartOfferUfrag = await offPage.evaluate(() => window.rtclabRestart());
    log('restart offer sent, offerer ufrag', restartOfferUfrag);
    newPairAtMs.offerer = await waitNewPair(offPage, 20000);
    newPairAtMs.answerer = await waitNewPair(ansPage, 20000);
    ok = !!(newPairAtMs.offerer && newPairAtMs.answerer);
    if (!ok) log('new pair not selected after the restart');
  }
  if (ok) {
    await sleep(afterRestartMs);
    const done = `window.rtclab.error || window.rtclab.dcReceived >= ${restartMessages} && window.rtclab.endOfCandidates`;
    await waitFor(offPage, done, 15000, name + ' offerer messages');
    await waitFor(ansPage, done, 15000, name + ' answerer messages');
    after.off = await offPage.evaluate(() => window.rtclabStats());
    after.ans = await ansPage.evaluate(() => window.rtclabStats());
  }
  const offS = await snapshot(offPage);
  const ansS = await snapshot(ansPage);
  if (offS.error || ansS.error) ok = false;
  await offPage.evaluate(() => window.rtclabClose && window.rtclabClose()).catch(() => {});
  await ansPage.evaluate(() => window.rtclabClose && window.rtclabClose()).catch(() => {});
  const closedAtMs = Date.now();
  await sleep(500);
  await offPage.close();
  await ansPage.close();
  if (!ok) {
    log('run', name, 'FAILED; offerer log:\n' + (offS.log || []).join('\n') + '\nanswerer log:\n' + (ansS.log || []).join('\n'));
  }
  const offGens = [...(offS.pastGenerations || []), offS];
  const ansGens = [...(ansS.pastGenerations || []), ansS];
  const generations = [];
  for (let g = 0; g < Math.max(offGens.length, ansGens.length); g++) {
    const last = g === offGens.length - 1;
    const o = offGens[g] || {}, a = ansGens[g] || {};
    generations.push({
      generation: g,
      offerSentAtMs: o.offerSentAtMs ?? null,
      answerSentAtMs: a.answerSentAtMs ?? null,
      offerer: genRecord('offerer', o, g === 0 ? before.off : (last ? after.off : null)),
      answerer: genRecord('answerer', a, g === 0 ? before.ans : (last ? after.ans : null)),
    });
  }
  if (generations.length > 1) {
    generations[generations.length - 1].newPairSeenAtMs = newPairAtMs; // by polling getStats(), +-50 ms
  }
  const run = {
    name,
    connected: !!ok,
    room,
    iceTransportPolicy: policy,
    iceServers: base.iceServers,
    holdRemoteCandidates,
    signalingUrl: wsUrl,
    startedAtMs,
    offerSentAtMs: generations[0] ? generations[0].offerSentAtMs : null,
    answerSentAtMs: generations[0] ? generations[0].answerSentAtMs : null,
    connectedAtMs: { offerer: offS.connectedAtMs, answerer: ansS.connectedAtMs },
    restartStartedAtMs: offS.restartStartedAtMs,
    restartOfferSentAtMs: generations[1] ? generations[1].offerSentAtMs : null,
    restartAnswerSentAtMs: generations[1] ? generations[1].answerSentAtMs : null,
    closedAtMs,
    // offerer/answerer: the LAST generation (after the restart), same shape as other runs
    offerer: peerRecord(offS, after.off),
    answerer: peerRecord(ansS, after.ans),
    selectedPairBeforeRestart: {
      offerer: before.off ? before.off.selectedPair : null,
      answerer: before.ans ? before.ans.selectedPair : null,
    },
    generations,
    selectedPairEvents: { offerer: offS.selectedPairEvents || [], answerer: ansS.selectedPairEvents || [] },
    dataChannelEvents: { offerer: offS.dcEvents || [], answerer: ansS.dcEvents || [] },
  };
  if (after.off) run.offerer.candidatePairs = after.off.candidatePairs;
  if (after.ans) run.answerer.candidatePairs = after.ans.candidatePairs;
  return { run, ok, offS, ansS };
}

function writeAtomic(file, data) {
  const tmp = file + '.tmp-' + process.pid;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

(async () => {
  const offInst = await launch('offerer');
  const ansInst = await launch('answerer');
  const version = offInst.ctx.browser() ? offInst.ctx.browser().version() : null;
  const ua = await (async () => { const p = await offInst.ctx.newPage(); const u = await p.evaluate(() => navigator.userAgent); await p.close(); return u; })();
  log('chromium', version, ua);
  const runs = [];
  let allOk = true;
  let internals = null;
  try {
    if (mode === 'loopback') {
      for (const [name, policy, ms] of [['all', 'all', flowMs], ['relay', 'relay', relayFlowMs]]) {
        const r = await runSession(offInst, ansInst, name, policy, { flowMs: ms });
        runs.push(r.run);
        allOk = allOk && r.ok;
        await sleep(1000);
      }
    } else if (mode === 'restart') {
      const r = await runRestartSession(offInst, ansInst, 'restart');
      runs.push(r.run);
      allOk = r.ok;
    } else {
      let internalsPage = null;
      if (internalsOut) {
        // opened BEFORE the RTCPeerConnection exists, so it records everything
        internalsPage = await offInst.ctx.newPage();
        try {
          await internalsPage.goto('chrome://webrtc-internals');
          await sleep(500);
        } catch (e) {
          internals = { attempted: true, saved: false, steps: ['goto chrome://webrtc-internals failed: ' + String(e)] };
          internalsPage = null;
        }
      }
      const r = await runSession(offInst, ansInst, 'all', 'all', { flowMs, internalsPage, internalsOut });
      runs.push(r.run);
      allOk = r.ok;
      if (r.internals) internals = r.internals;
      if (r.ok && sdpDir) {
        if (!r.offS.finalLocalSdp || !r.ansS.finalLocalSdp) { log('final SDP missing'); allOk = false; }
        else {
          writeAtomic(path.join(sdpDir, 'offer.sdp'), r.offS.finalLocalSdp);
          writeAtomic(path.join(sdpDir, 'answer.sdp'), r.ansS.finalLocalSdp);
        }
      }
      if (internalsPage) await internalsPage.close().catch(() => {});
    }
  } finally {
    await offInst.ctx.close().catch(() => {});
    await ansInst.ctx.close().catch(() => {});
    fs.rmSync(offInst.userDataDir, { recursive: true, force: true });
    fs.rmSync(ansInst.userDataDir, { recursive: true, force: true });
  }
  const out = {
    generator: 'tests/browser/make-captures.sh (drive.js)',
    mode,
    chromium: { version, userAgent: ua, args: chromiumArgs },
    turn: { server: `${turnHost}:${turnPort}`, username: TURN_USER, credential: TURN_PASS, realm: 'rtclab.test' },
    signaling: { url: wsUrl },
    notes: 'Times are wall-clock ms since the epoch (Date.now() in the page, same host clock as the capture). ' +
      'candidates = every candidate string the page got in icecandidate events, in order; endOfCandidates = a null icecandidate was seen. ' +
      'selectedPair comes from getStats(): transport.selectedCandidatePairId (fallback: candidate-pair nominated && succeeded), taken statsTakenAtMs.',
    runs,
  };
  if (internals) out.webrtcInternalsDump = internals;
  if (outFile) writeAtomic(outFile, JSON.stringify(out, null, 2) + '\n');
  for (const r of runs) {
    for (const role of ['offerer', 'answerer']) {
      const p = r[role];
      const sp = p.selectedPair;
      log(r.name, role, 'ufrag', p.ufrag, 'connected', r.connected, sp ? `${sp.local.candidateType} ${sp.local.address}:${sp.local.port} <-> ${sp.remote.candidateType} ${sp.remote.address}:${sp.remote.port}` : 'no pair');
    }
  }
  for (const r of runs) {
    for (const g of r.generations || []) {
      for (const role of ['offerer', 'answerer']) {
        const p = g[role];
        const sp = p.selectedPair;
        log(r.name, 'generation', g.generation, role, 'ufrag', p.ufrag, 'pwd', p.pwd, sp ? `${sp.local.candidateType} ${sp.local.address}:${sp.local.port} <-> ${sp.remote.candidateType} ${sp.remote.address}:${sp.remote.port}` : 'no pair');
      }
    }
  }
  if (internals) log('webrtc-internals dump:', JSON.stringify(internals));
  process.exit(allOk ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
