/*
 * Clippings: "Discuss this article" for any article page.
 *   <script src="https://clippings.example/embed.js" data-article-url="https://…/the-article" async></script>
 * Attributes: data-article-url (default: the page's canonical link, else its address), data-article-id (optional),
 *             data-mount="#selector" renders the chat inline in that element instead of behind a button,
 *             data-label (button text), data-article-title (shown in the panel heading).
 * The chat is the official Bot Framework Web Chat, served by the same Clippings server as this file.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }

  var server = new URL(script.src, document.baseURI).origin;
  var data = script.dataset;
  var canonical = document.querySelector('link[rel="canonical"]');
  var articleUrl = data.articleUrl || (canonical && canonical.href) || location.href;
  var label = data.label || 'Discuss this article';
  var scope = data.articleId ? { articleUrl: articleUrl, articleId: data.articleId } : { articleUrl: articleUrl };

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.WebChat) {
        resolve();
        return;
      }
      var element = document.createElement('script');
      element.src = src;
      element.async = true;
      element.onload = function () { resolve(); };
      element.onerror = function () { reject(new Error('Could not load ' + src)); };
      document.head.appendChild(element);
    });
  }

  function loadStyles() {
    if (document.getElementById('clippings-embed-css')) {
      return;
    }
    var link = document.createElement('link');
    link.id = 'clippings-embed-css';
    link.rel = 'stylesheet';
    link.href = server + '/assets/embed.css';
    document.head.appendChild(link);
  }

  // The scope travels two ways, as the bot expects: an event when the conversation opens, and on every message.
  function clippingsMiddleware(value) {
    return function (store) {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
            setTimeout(function () {
              store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'clippings/scope', value: value } });
            }, 0);
          }
          if (action.type === 'DIRECT_LINE/POST_ACTIVITY' && action.payload.activity.type === 'message') {
            var activity = action.payload.activity;
            var channelData = Object.assign({}, activity.channelData, { clippings: value });
            action = Object.assign({}, action, {
              payload: Object.assign({}, action.payload, { activity: Object.assign({}, activity, { channelData: channelData }) })
            });
          }
          return next(action);
        };
      };
    };
  }

  var styleOptions = {
    accent: '#0b4f6c',
    primaryFont: "'Source Sans 3', 'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif",
    bubbleBackground: '#f4f1ea',
    bubbleBorderColor: '#e4ddcf',
    bubbleBorderRadius: 10,
    bubbleFromUserBackground: '#0b4f6c',
    bubbleFromUserTextColor: '#ffffff',
    bubbleFromUserBorderColor: '#0b4f6c',
    bubbleFromUserBorderRadius: 10,
    bubbleMaxWidth: 560,
    botAvatarInitials: 'HR',
    botAvatarBackgroundColor: '#0b4f6c',
    hideUploadButton: true,
    sendBoxButtonColor: '#0b4f6c',
    suggestedActionLayout: 'flow',
    suggestedActionBorderRadius: 16,
    rootHeight: '100%',
    rootWidth: '100%',
    backgroundColor: '#fffdf8'
  };

  function showError(host, message) {
    host.textContent = '';
    var note = document.createElement('p');
    note.className = 'clippings-error';
    note.textContent = message;
    host.appendChild(note);
  }

  function start(host) {
    host.classList.add('clippings-webchat');
    return loadScript(server + '/assets/webchat.js')
      .then(function () {
        return fetch(server + '/webchat/token', { method: 'POST', mode: 'cors', credentials: 'omit' });
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('token: HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (session) {
        var directLine = window.WebChat.createDirectLine({
          domain: session.domain || server + '/v3/directline',
          token: session.token,
          webSocket: false,
          pollingInterval: 500
        });
        var store = window.WebChat.createStore({}, clippingsMiddleware(scope));
        window.WebChat.renderWebChat({
          directLine: directLine,
          store: store,
          // No userID: the token names the reader, and Web Chat warns that a "dl_" id passed here could be forged.
          locale: 'en-GB',
          styleOptions: styleOptions,
          overrideLocalizedStrings: { TEXT_INPUT_PLACEHOLDER: 'Ask about this article or the archive…' }
        }, host);
        host.setAttribute('data-clippings-ready', 'true');
      })
      .catch(function (error) {
        showError(host, 'The archive chat is unavailable right now. Please try again later.');
        if (window.console) {
          window.console.warn('Clippings chat:', error);
        }
      });
  }

  function inline(selector) {
    var host = document.querySelector(selector);
    if (!host) {
      return;
    }
    loadStyles();
    start(host);
  }

  function floating() {
    loadStyles();
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'clippings-launcher';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', 'clippings-panel');
    button.textContent = label;

    var panel = document.createElement('section');
    panel.id = 'clippings-panel';
    panel.className = 'clippings-panel';
    panel.hidden = true;
    panel.setAttribute('aria-label', label);

    var header = document.createElement('header');
    header.className = 'clippings-panel-header';
    var heading = document.createElement('div');
    var title = document.createElement('h2');
    title.textContent = label;
    heading.appendChild(title);
    if (data.articleTitle) {
      var subtitle = document.createElement('p');
      subtitle.textContent = data.articleTitle;
      heading.appendChild(subtitle);
    }
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'clippings-close';
    close.setAttribute('aria-label', 'Close the chat');
    close.textContent = '\u00d7';
    header.appendChild(heading);
    header.appendChild(close);

    var host = document.createElement('div');
    host.className = 'clippings-panel-body';
    panel.appendChild(header);
    panel.appendChild(host);

    var started = false;
    function toggle(open) {
      panel.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      button.classList.toggle('clippings-launcher-open', open);
      if (open && !started) {
        started = true;
        start(host);
      }
    }
    button.addEventListener('click', function () { toggle(panel.hidden); });
    close.addEventListener('click', function () { toggle(false); button.focus(); });
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }

  function init() {
    if (data.mount) {
      inline(data.mount);
    } else {
      floating();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
