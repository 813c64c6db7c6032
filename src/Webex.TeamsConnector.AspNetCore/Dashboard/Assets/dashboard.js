// The Teams connector dashboard: plain JavaScript over the admin API, no build step, nothing from another origin.
// Every value from the server is written with textContent, never as HTML.
(() => {
  'use strict';
  const base = document.body.dataset.api;
  let api = base;
  const $ = (id) => document.getElementById(id);
  const pollMs = 1500;
  const stateNames = {
    DoNotDisturb: 'Do not disturb', InACall: 'In a call', Presenting: 'Presenting', InAConferenceCall: 'In a conference call',
    InAMeeting: 'In a meeting', Busy: 'Busy', Away: 'Away', BeRightBack: 'Be right back', Offline: 'Appear offline',
    OutOfOffice: 'Out of office', Focusing: 'Focusing',
  };
  const confirmations = {
    deactivate: {
      title: 'Deactivate the Microsoft Teams connector?',
      text: 'Agent states will no longer change with Microsoft Teams presence, and Teams will no longer show agents as busy on contact-center calls, until you reactivate the connector.',
      ok: 'Deactivate',
    },
    reactivate: {
      title: 'Reactivate the Microsoft Teams connector?',
      text: 'State synchronization starts again for agents whose desktop profile enables Microsoft Teams.',
      ok: 'Reactivate',
    },
    delete: {
      title: 'Delete the Microsoft Teams connector?',
      text: 'The connector is removed from Webex Contact Center. The Azure authorization stays: remove the enterprise application in Azure as well.',
      ok: 'Delete',
    },
  };
  let codeNames = new Map();
  let selectedAgent = null;
  let lastAgents = '';
  let lastTimeline = '';

  async function call(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(api + path, init);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.title)) || ('HTTP ' + response.status));
      error.status = response.status;
      error.problem = data;
      throw error;
    }
    return data;
  }

  function say(id, text, kind) {
    const element = $(id);
    element.textContent = text || '';
    element.className = 'message' + (kind ? ' ' + kind : '');
  }

  function codeLabel(id) {
    return codeNames.get(id) || id;
  }

  function stateLabel(state, idleCodeId) {
    return state === 'Idle' && idleCodeId ? 'Idle: ' + codeLabel(idleCodeId) : state;
  }

  function writeLabel(write) {
    if (!write) return '';
    const match = /^Idle\((.*)\)$/.exec(write);
    return match ? 'Idle: ' + codeLabel(match[1]) : write;
  }

  // Connector card.
  async function loadStatus() {
    const status = await call('GET', '/status');
    const badge = $('connector-state');
    badge.textContent = status.state === 'NotConfigured' ? 'Not configured' : status.state;
    badge.className = 'badge ' + status.state;
    badge.dataset.state = status.state;
    $('presence-sync').textContent = status.presenceSyncEnabled ? 'On' : 'Off';
    $('sync-running').textContent = status.isSyncing ? 'Running' : 'Not running';
    $('sync-reason').textContent = status.isSyncing ? '—' : (status.reason || 'Starting…');
    $('tracked-agents').textContent = String(status.trackedAgents);
    $('outbox-depth').textContent = String(status.outboxDepth);
    $('deactivate').disabled = status.state !== 'Active';
    $('reactivate').disabled = status.state !== 'Inactive';
    $('delete').disabled = status.state !== 'Inactive';
  }

  function confirmThen(operation) {
    const words = confirmations[operation];
    const dialog = $('confirm-dialog');
    $('confirm-title').textContent = words.title;
    $('confirm-text').textContent = words.text;
    const ok = $('confirm-ok');
    ok.textContent = words.ok;
    ok.className = operation === 'delete' ? 'danger' : 'primary';
    ok.onclick = async () => {
      dialog.close();
      try {
        const result = await call('POST', '/connector/' + operation, { confirm: true });
        say('connector-message', result.notice || ('The connector is ' + result.state + '.'), 'ok');
      } catch (error) {
        say('connector-message', error.message, 'error');
      }
      await refresh();
    };
    $('confirm-cancel').onclick = () => dialog.close();
    dialog.showModal();
  }

  // Mapping editor.
  async function loadMapping() {
    const view = await call('GET', '/mapping');
    codeNames = new Map(view.idleCodes.map((c) => [c.id, c.name]));
    const body = $('mapping').tBodies[0];
    body.replaceChildren();
    for (const state of view.states) {
      const row = body.insertRow();
      row.dataset.state = state;
      row.insertCell().textContent = stateNames[state] || state;
      const select = document.createElement('select');
      select.id = 'map-' + state;
      select.setAttribute('aria-label', 'Idle code for ' + (stateNames[state] || state));
      select.add(new Option('— not mapped —', ''));
      for (const code of view.idleCodes) {
        if (code.selectable || view.mapping[state] === code.id) {
          const option = new Option(code.selectable ? code.name : code.name + ' (' + code.reason + ')', code.id);
          option.disabled = !code.selectable;
          select.add(option);
        }
      }
      select.value = view.mapping[state] || '';
      row.insertCell().append(select);
    }
    $('mapping-card').dataset.source = view.source;
  }

  async function saveMapping() {
    const mapping = {};
    for (const select of $('mapping').querySelectorAll('select')) {
      if (select.value) mapping[select.id.slice(4)] = select.value;
    }
    try {
      await call('PUT', '/mapping', { mapping });
      say('mapping-message', 'Mapping saved. It applies from each agent\'s next Microsoft Teams change.', 'ok');
      await loadMapping();
    } catch (error) {
      const errors = error.problem && error.problem.errors;
      say('mapping-message', errors && errors.length ? errors.join(' ') : error.message, 'error');
    }
  }

  // Agents table, updated in place so that buttons survive the polling.
  function cellsOf(row, count) {
    while (row.cells.length < count) row.insertCell();
    return row.cells;
  }

  function button(text, cls, handler) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.className = cls;
    b.addEventListener('click', handler);
    return b;
  }

  async function loadAgents() {
    const agents = await call('GET', '/agents');
    const text = JSON.stringify(agents) + '|' + [...codeNames.entries()].join();
    if (text === lastAgents) return;
    lastAgents = text;
    const body = $('agents').tBodies[0];
    const seen = new Set();
    for (const agent of agents) {
      seen.add(agent.agentId);
      let row = body.querySelector('tr[data-agent-id="' + CSS.escape(agent.agentId) + '"]');
      if (!row) {
        row = body.insertRow();
        row.dataset.agentId = agent.agentId;
        const cells = cellsOf(row, 7);
        cells[6].append(
          button('Timeline', 'timeline', () => selectAgent(agent.agentId)),
          button('Pause', 'pause', () => pauseOrResume(agent.agentId, 'pause')),
          button('Resume', 'resume', () => pauseOrResume(agent.agentId, 'resume')));
      }
      const cells = cellsOf(row, 7);
      cells[0].textContent = agent.agentId;
      if (agent.paused) {
        const tag = document.createElement('span');
        tag.className = 'paused';
        tag.textContent = 'paused';
        cells[0].append(tag);
      }
      cells[1].textContent = agent.paused ? 'Left alone (paused)' : stateLabel(agent.state, agent.idleCodeId);
      cells[1].className = 'state';
      cells[2].textContent = agent.paused ? '' : agent.origin;
      cells[3].textContent = agent.teamsPresence || '';
      cells[3].className = 'presence';
      cells[4].textContent = writeLabel(agent.pendingWrite);
      cells[5].textContent = agent.publishedPresence || '';
      row.querySelector('button.pause').hidden = agent.paused;
      row.querySelector('button.resume').hidden = !agent.paused;
      row.classList.toggle('selected', agent.agentId === selectedAgent);
    }
    for (const row of [...body.rows]) {
      if (!seen.has(row.dataset.agentId)) row.remove();
    }
    $('agents-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    say('agents-message', agents.length ? '' : 'No agent is synced now.');
  }

  async function pauseOrResume(agentId, what) {
    try {
      await call('POST', '/agents/' + encodeURIComponent(agentId) + '/' + what);
      say('agents-message', what === 'pause' ? 'Agent ' + agentId + ' is paused: the connector leaves the agent alone.' : 'Agent ' + agentId + ' is synced again.', 'ok');
    } catch (error) {
      say('agents-message', error.message, 'error');
    }
    await refresh();
  }

  // Timeline.
  async function selectAgent(agentId) {
    selectedAgent = agentId;
    lastTimeline = '';
    $('timeline-agent').textContent = '· ' + agentId;
    for (const row of $('agents').tBodies[0].rows) row.classList.toggle('selected', row.dataset.agentId === agentId);
    await loadTimeline();
  }

  function describeTrigger(record) {
    if (record.teamsAvailability || record.teamsActivity) return 'Teams presence ' + (record.teamsAvailability || '?') + '/' + (record.teamsActivity || '?');
    if (record.agentEvent) return 'Agent event ' + record.agentEvent;
    return record.trigger;
  }

  async function loadTimeline() {
    if (!selectedAgent) return;
    const list = $('timeline');
    let audit;
    try {
      audit = await call('GET', '/agents/' + encodeURIComponent(selectedAgent) + '/timeline');
    } catch (error) {
      list.replaceChildren();
      lastTimeline = '';
      say('timeline-message', error.status === 404 ? 'No audit trail is kept: register an audit store to see why agents changed state.' : error.message, 'error');
      return;
    }
    const text = JSON.stringify(audit.records);
    if (text === lastTimeline) return;
    lastTimeline = text;
    list.replaceChildren();
    for (const record of audit.records) {
      const item = document.createElement('li');
      item.dataset.rule = record.rule;
      item.dataset.outcome = record.outcome;
      const when = document.createElement('span');
      when.className = 'when';
      when.textContent = new Date(record.time).toISOString().replace('T', ' ').slice(0, 23) + ' UTC';
      const rule = document.createElement('span');
      rule.className = 'rule';
      rule.textContent = record.rule;
      const outcome = document.createElement('span');
      outcome.className = 'outcome';
      outcome.textContent = record.outcome + (record.detail ? ': ' + record.detail : '');
      const parts = [describeTrigger(record)];
      if (record.stateBefore || record.stateAfter) parts.push((record.stateBefore || '?') + ' → ' + (record.stateAfter || '?'));
      if (record.origin) parts.push('set by ' + record.origin);
      if (record.command) parts.push(record.command);
      item.append(when, rule, document.createTextNode(' · ' + parts.join(' · ')), outcome);
      list.append(item);
    }
    say('timeline-message', audit.records.length ? '' : 'No decision recorded for this agent in the last day.');
  }

  // Desktop profiles.
  const toggles = ['TeamsStateSynchronization', 'TeamsShowUserDetails', 'WebexStateSynchronization', 'WebexShowUserDetails'];
  const fields = ['stateSynchronizationMS', 'showUserDetailsMS', 'stateSynchronizationWebex', 'showUserDetailsWebex'];

  async function loadProfiles() {
    const profiles = await call('GET', '/desktop-profiles');
    const body = $('profiles').tBodies[0];
    body.replaceChildren();
    for (const profile of profiles) {
      const row = body.insertRow();
      row.dataset.profileId = profile.id;
      row.insertCell().textContent = profile.name || profile.id;
      toggles.forEach((toggle, i) => {
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = profile[fields[i]];
        box.dataset.toggle = toggle;
        box.setAttribute('aria-label', toggle + ' of ' + (profile.name || profile.id));
        box.addEventListener('change', () => setToggle(profile.id, toggle, box));
        row.insertCell().append(box);
      });
    }
  }

  async function setToggle(profileId, toggle, box) {
    try {
      await call('PUT', '/desktop-profiles/' + encodeURIComponent(profileId) + '/toggles', { toggle, enabled: box.checked });
      say('profiles-message', 'Saved to Webex Contact Center.', 'ok');
    } catch (error) {
      box.checked = !box.checked;
      say('profiles-message', error.message, 'error');
    }
    await loadProfiles();
  }

  async function refresh() {
    try {
      await loadStatus();
      await loadAgents();
      await loadTimeline();
      $('load-error').hidden = true;
    } catch (error) {
      $('load-error').textContent = 'The dashboard cannot reach the admin API: ' + error.message;
      $('load-error').hidden = false;
    }
  }

  // Several orgs (TeamsConnector:Orgs): a picker; the page then talks to the chosen org's API (?org=<name> keeps it).
  async function chooseOrg() {
    let orgs = [];
    try { orgs = (await call('GET', '/orgs')) || []; } catch { orgs = []; }
    if (!orgs.length) return;
    const wanted = (new URLSearchParams(location.search).get('org') || '').toLowerCase();
    const current = orgs.find((o) => o.name.toLowerCase() === wanted) || orgs[0];
    const picker = $('org');
    for (const org of orgs) {
      const option = document.createElement('option');
      option.value = org.name;
      option.textContent = org.name;
      picker.appendChild(option);
    }
    picker.value = current.name;
    picker.addEventListener('change', () => {
      const query = new URLSearchParams(location.search);
      query.set('org', picker.value);
      location.search = query.toString();
    });
    $('org-picker').hidden = false;
    api = base + '/orgs/' + encodeURIComponent(current.name);
    $('consent').href = api + '/consent';
  }

  async function start() {
    await chooseOrg();
    $('deactivate').addEventListener('click', () => confirmThen('deactivate'));
    $('reactivate').addEventListener('click', () => confirmThen('reactivate'));
    $('delete').addEventListener('click', () => confirmThen('delete'));
    $('mapping-save').addEventListener('click', saveMapping);
    try { await loadMapping(); } catch (error) { say('mapping-message', error.message, 'error'); }
    try { await loadProfiles(); } catch (error) { say('profiles-message', error.message, 'error'); }
    await refresh();
    document.body.dataset.ready = 'true';
    setInterval(refresh, pollMs);
  }

  start();
})();
