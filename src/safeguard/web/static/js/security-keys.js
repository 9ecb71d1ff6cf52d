// safeguard: register a security key, and sign in with one (WebAuthn).
//
// A static file (no inline script: the Content-Security-Policy allows none), loaded only on
// the two-factor pages. Where the browser has no WebAuthn the key controls stay hidden and
// the page works as before with codes. The server sends the options as JSON with binary
// fields in base64url; the browser wants ArrayBuffers, and the answer goes back as JSON.

function toBytes (base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - base64.length % 4) % 4)
  return Uint8Array.from(atob(padded), c => c.charCodeAt(0)).buffer
}

function toBase64url (buffer) {
  let text = ''
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function descriptors (list) {
  return (list || []).map(d => ({ ...d, id: toBytes(d.id) }))
}

function credentialJSON (credential) {
  const r = credential.response
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) }
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject)
    response.transports = r.getTransports ? r.getTransports() : []
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData)
    response.signature = toBase64url(r.signature)
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle)
  }
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults()
  })
}

async function post (url, fields) {
  const body = new URLSearchParams(fields)
  const answer = await fetch(url, { method: 'POST', body, credentials: 'same-origin' })
  const data = await answer.json().catch(() => ({}))
  if (!answer.ok) throw new Error(data.error || 'Something went wrong. Try again.')
  return data
}

function showError (root, text) {
  const error = root.querySelector('[data-security-key-error]')
  error.querySelector('[data-security-key-error-text]').textContent = text
  error.hidden = false
}

async function register (root, csrf) {
  const name = root.querySelector('[name="key_name"]').value
  const options = await post('/account/security-keys/options', { csrf_token: csrf })
  options.challenge = toBytes(options.challenge)
  options.user.id = toBytes(options.user.id)
  options.excludeCredentials = descriptors(options.excludeCredentials)
  const credential = await navigator.credentials.create({ publicKey: options })
  const done = await post('/account/security-keys',
    { csrf_token: csrf, key_name: name, credential: credentialJSON(credential) })
  window.location.assign(done.redirect)
}

async function signIn (root, csrf) {
  const options = await post('/sign-in/security-key/options', { csrf_token: csrf })
  options.challenge = toBytes(options.challenge)
  options.allowCredentials = descriptors(options.allowCredentials)
  const credential = await navigator.credentials.get({ publicKey: options })
  const done = await post('/sign-in/security-key',
    { csrf_token: csrf, credential: credentialJSON(credential) })
  window.location.assign(done.redirect)
}

function start (root) {
  const csrf = root.querySelector('[name="csrf_token"]').value
  const act = root.dataset.securityKey === 'register' ? register : signIn
  root.querySelector('[data-security-key-unsupported]')?.setAttribute('hidden', '')
  root.querySelector('[data-security-key-controls]').hidden = false
  root.querySelector('[data-security-key-button]').addEventListener('click', async event => {
    event.preventDefault()
    try {
      await act(root, csrf)
    } catch (error) {
      // The person cancelled, or the key or the server refused: say so, and stay.
      showError(root, error.name === 'NotAllowedError'
        ? 'The security key was not used. Try again, or use a code instead.'
        : error.message)
    }
  })
}

if (window.PublicKeyCredential) {
  document.querySelectorAll('[data-security-key]').forEach(start)
}
