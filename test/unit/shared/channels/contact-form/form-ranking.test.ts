import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';

describe('parseForms ranking', () => {
  const contactForm = `
    <form action="/send" method="post" id="contact">
      <label for="n">Name</label><input id="n" name="n">
      <label for="e">Email</label><input id="e" name="e" type="email">
      <label for="m">Message</label><textarea id="m" name="m"></textarea>
      <button type="submit">Send</button>
    </form>`;

  it.each([
    [
      'search box',
      '<form action="/search" method="get"><input type="text" name="q" placeholder="Search"><button>Go</button></form>',
      'search',
    ],
    [
      'newsletter signup',
      '<form action="/subscribe" method="post" class="newsletter"><input type="email" name="email" placeholder="Your email"><button>Subscribe</button></form>',
      'newsletter',
    ],
    [
      'login form',
      '<form action="/login" method="post"><label>Email <input type="email" name="user"></label><label>Password <input type="password" name="pass"></label><button>Log in</button></form>',
      'login',
    ],
    [
      'comment form',
      '<form action="/wp-comments-post.php" method="post" id="commentform"><textarea name="comment"></textarea><input name="author"><input name="email" type="email"><input type="hidden" name="comment_post_ID" value="7"><input type="submit" value="Post Comment"></form>',
      'comment',
    ],
  ])('a %s placed before the contact form is ranked below it', (_label, other, kind) => {
    // Prepare
    const html = `<html><body>${other}${contactForm}</body></html>`;

    // Act
    const forms = parseForms(html, 'https://acme.example/');

    // Assess
    expect(forms).toHaveLength(2);
    expect(forms[0]?.action).toBe('https://acme.example/send');
    expect(forms[0]?.kind).toBe('contact');
    expect(forms[1]?.kind).toBe(kind);
    expect(forms[1]?.submittable).toBe(false);
  });

  it('a page with only a newsletter form offers no submittable contact form', () => {
    // Prepare
    const html =
      '<form action="https://x.list-manage.com/subscribe/post" method="post"><input type="email" name="EMAIL"><input type="text" name="FNAME" placeholder="First name"><input type="submit" value="Subscribe"></form>';

    // Act
    const forms = parseForms(html, 'https://acme.example/');

    // Assess
    expect(forms[0]?.kind).toBe('newsletter');
    expect(forms[0]?.submittable).toBe(false);
  });
});
