#!/usr/bin/env python3
"""Builds the io-archive fixtures from real IRA data (no Twitter IO archive sample is
reachable, see ../doc.go). Run from this folder:

    python3 mkfixture.py /work/shared/data/ira-troll-tweets-2016-election-window

It reads ira_tweets_2016-10-06_one_day.csv and authors.csv, takes the first 12 tweets of each
of the first 30 authors (360 tweets) and writes them in the archive's 31-column layout to
tweets.csv, and the authors' profiles in the users-file layout to users.csv. Real: handles,
texts, hashtags, t.co links, minute times, languages, follower/following counts, and user ids
(authors.csv congress_2017_id). Synthetic, derived deterministically: tweet ids (Twitter
snowflakes built from publish_date), the ids of retweeted/quoted/replied-to tweets, counts,
clients, creation dates; accounts with fewer than 5,000 followers are hashed the way the
archive does (base64 SHA-256 in userid, user_display_name and user_screen_name)."""
import base64, csv, hashlib, re, sys
from datetime import datetime, timezone

src = sys.argv[1]
authors = {r['author_id']: r for r in csv.DictReader(open(f'{src}/authors.csv', encoding='utf-8'))}
rows = list(csv.DictReader(open(f'{src}/ira_tweets_2016-10-06_one_day.csv', encoding='utf-8')))

def h(s):  # archive-style hash
    return base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()

def n(s, mod):  # deterministic small number
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16) % mod

def snowflake(ts, salt):
    ms = int(ts.timestamp() * 1000) - 1288834974657
    return str((ms << 22) | n(salt, 1 << 22))

per, order = {}, []
for r in rows:
    a = r['author_id']
    if a not in per:
        if len(per) == 30:
            continue
        per[a] = []
        order.append(a)
    if len(per[a]) < 12:
        per[a].append(r)

cols = ('tweetid,userid,user_display_name,user_screen_name,user_reported_location,'
        'user_profile_description,user_profile_url,follower_count,following_count,'
        'account_creation_date,account_language,tweet_language,tweet_text,tweet_time,'
        'tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,'
        'is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,'
        'like_count,retweet_count,hashtags,urls,user_mentions,poll_choices').split(',')
ucols = ('userid,user_display_name,user_screen_name,user_reported_location,'
         'user_profile_description,user_profile_url,follower_count,following_count,'
         'account_creation_date,account_language').split(',')
lang = {'English': 'en', 'Russian': 'ru', 'German': 'de', 'Italian': 'it', 'Spanish': 'es',
        'Ukrainian': 'uk', 'Arabic': 'ar', 'French': 'fr'}
clients = ['Twitter Web Client', 'TweetDeck', 'Twitter for iPhone', 'Twitter for Android', 'IFTTT']

def lst(xs):
    return '[' + ', '.join(xs) + ']' if xs else ''

tw = csv.writer(open('tweets.csv', 'w', newline='', encoding='utf-8'), lineterminator='\n')
uw = csv.writer(open('users.csv', 'w', newline='', encoding='utf-8'), lineterminator='\n')
tw.writerow(cols)
uw.writerow(ucols)
for a in order:
    au = authors.get(a, {})
    uid = au.get('congress_2017_id') or str(n(a, 10**9))
    first = per[a][0]
    followers = int(first['followers'] or 0)
    hashed = followers < 5000
    userid = h(uid) if hashed else uid
    name = userid if hashed else au.get('author', a)
    screen = userid if hashed else a
    created = '20%02d-%02d-%02d' % (13 + n(a, 3), 1 + n(a + 'm', 12), 1 + n(a + 'd', 28))
    ulang = lang.get(first['language'], 'en')
    loc = '' if hashed else first['region']
    profile = [userid, name, screen, loc, '' if hashed else au.get('account_category', ''), '',
               first['followers'], first['following'], created, ulang]
    uw.writerow(profile)
    for r in per[a]:
        ts = datetime.strptime(r['publish_date'], '%Y-%m-%d %H:%M:%S').replace(tzinfo=timezone.utc)
        text = r['content']
        tid = snowflake(ts, text + a)
        rt = r['post_type'] == 'R' or r['retweet'] == '1'
        q = r['post_type'] == 'Q'
        m = re.match(r'RT @(\w+):', text)
        ment = re.findall(r'@(\w+)', text)
        reply = not rt and not q and text.startswith('@') and ment
        out = dict.fromkeys(cols, '')
        out.update(tweetid=tid, userid=userid, user_display_name=name, user_screen_name=screen,
                   user_reported_location=loc, user_profile_description=profile[4],
                   follower_count=r['followers'], following_count=r['following'],
                   account_creation_date=created, account_language=ulang,
                   tweet_language=lang.get(r['language'], 'und'), tweet_text=text,
                   tweet_time=ts.strftime('%Y-%m-%d %H:%M'),
                   tweet_client_name=clients[n(tid, len(clients))],
                   is_retweet='True' if rt else 'False', latitude='absent', longitude='absent',
                   hashtags=lst(re.findall(r'#(\w+)', text)),
                   urls=lst(re.findall(r'https?://t\.co/\w+', text)),
                   user_mentions=lst([str(n(x.lower(), 10**9)) for x in ment]))
        if rt:
            orig = m.group(1) if m else 'orig' + str(n(text, 500))
            out.update(retweet_userid=h(orig.lower()), retweet_tweetid=snowflake(ts, 'rt' + text),
                       quote_count='0', reply_count='0', like_count='0', retweet_count='0')
        else:
            out.update(quote_count=str(n(tid + 'q', 3)), reply_count=str(n(tid + 'r', 5)),
                       like_count=str(n(tid + 'l', 60)), retweet_count=str(n(tid + 't', 40)))
        if q:
            out['quoted_tweet_tweetid'] = snowflake(ts, 'q' + text)
        if reply:
            out['in_reply_to_userid'] = str(n(ment[0].lower(), 10**9))
            out['in_reply_to_tweetid'] = snowflake(ts, 're' + text)
        tw.writerow([out[c] for c in cols])
