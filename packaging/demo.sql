-- demo.sql: demo data for a fresh boxoffice database, loaded once by
-- packaging/quickstart.sh after the migrations:
--   mariadb boxoffice < packaging/demo.sql
-- Seven films (six sold by seat, one general-admission pass), two halls (a
-- plain studio and a large hall with VIP rows, wheelchair and companion
-- seats, house seats, blocked seats and aisles), a week of screenings from
-- the first full hour at least 30 minutes ahead (computed at load time, so
-- they always lie ahead), four a day in each hall, 3.5 hours apart (longer
-- than any film plus the 15 minutes of cleaning), adverts and announcements,
-- and a few comments by a demo customer.
--
-- Ids are small fixed numbers (the id generator's ids are far larger, so
-- they never meet): films 1001.., halls 1101.., users 1201, adverts 1301..,
-- comments 1401.., screenings 2000 + 100 * hall + 10 * day + slot.
-- No staff users here: the admin comes from bootstrap_admin (Argon2id hash
-- made by the server). The demo customer's password '!' is no valid hash,
-- so nobody can log in as it.
-- Layouts are stored as compact JSON text, as the hall service writes them;
-- seats counts every letter, seats_total of a screening the sellable ones.

SET NAMES utf8mb4;
START TRANSACTION;

SET @now := UNIX_TIMESTAMP();
SET @base := ((@now + 1800) DIV 3600 + 1) * 3600;

INSERT INTO films (id, name, `desc`, director, screenwriter, length, amount, stock,
                   is_select_seat, genre, poster_url, removed, create_time, update_time) VALUES
(1001, 'The Lighthouse Keeper''s Daughter',
 'On a storm-battered island off the Norwegian coast, seventeen-year-old Marit keeps the lamp burning after her father falls ill, and finds the logbook he never wanted her to read. A quiet, luminous story about inheritance, duty and the courage to leave.',
 'Ingrid Solberg', 'Ingrid Solberg, Tomas Venn', 118, 4500, 0, 1, 'Drama',
 '/static/posters/lighthouse.svg', 0, @now, @now),
(1002, 'Orbital Drift',
 'When a debris strike cripples the research station Perihelion, its crew of three has ninety hours to build a return capsule from spare parts while mission control argues over whether to bring them home at all. Tense, practical science fiction, shot largely in real weightlessness.',
 'Kenji Araki', 'Kenji Araki, Ruth Oyelaran', 136, 5000, 0, 1, 'Science Fiction',
 '/static/posters/orbital-drift.svg', 0, @now, @now),
(1003, 'Paper Lanterns',
 'A shy paper-folder in a riverside town discovers that the lanterns she makes for the autumn festival come alive at night. With a grumpy paper crane for company she has to guide a lost lantern spirit home before the river carries the festival away. For all ages.',
 'Mei Lin Zhao', 'Mei Lin Zhao', 94, 3800, 0, 1, 'Animation',
 '/static/posters/paper-lanterns.svg', 0, @now, @now),
(1004, 'Last Train to Valparaíso',
 'A retired customs inspector boards the overnight train from Santiago with a briefcase that is not his and a passenger list that keeps getting shorter. Five hundred kilometres of Andean railway, one compartment too many, and a conductor who knows more than he says.',
 'Diego Ferrán', 'Lucía Ibarra', 121, 4800, 0, 1, 'Thriller',
 '/static/posters/valparaiso.svg', 0, @now, @now),
(1005, 'The Grand Rehearsal',
 'Six days before opening night a small provincial theatre loses its leading man, its stage and its grant, and gains a stray goat. A warm ensemble comedy about the people who put on the show no matter what.',
 'Hélène Marchetti', 'Hélène Marchetti, Paul Dufresne', 102, 4200, 0, 1, 'Comedy',
 '/static/posters/grand-rehearsal.svg', 0, @now, @now),
(1006, 'Iron Meridian',
 'Former navy engineer Dana Cole has one night to stop a hijacked high-speed train carrying a prototype reactor across the continent. Practical stunts, a relentless score and a hero who would rather fix things than fight them.',
 'Marcus Webb', 'Marcus Webb, Tess Calloway', 142, 5500, 0, 1, 'Action',
 '/static/posters/iron-meridian.svg', 0, @now, @now),
(1007, 'Midsummer Shorts Festival Pass',
 'General admission to this year''s programme of eleven award-winning short films from nine countries, shown back to back with one interval. Free seating; doors open thirty minutes before the start.',
 'Various', 'Various', 150, 2500, 150, 0, 'Festival',
 '/static/posters/midsummer-shorts.svg', 0, @now, @now);

-- Grand Hall (18 positions a row, centre aisle): pillars (X) at the ends of
-- row A, a cross aisle at E, wheelchair spaces (W) with companion seats (C)
-- at both ends of row F behind it, house seats (H) in row H, VIP rows I and
-- J, blocked corners in row K. 10 rows of 16 letters: 160 seats, 6 X, 154
-- sellable.
INSERT INTO halls (id, name, layout, seats, removed, create_time, update_time) VALUES
(1101, 'Grand Hall',
 '["XSSSSSSS..SSSSSSSX","SSSSSSSS..SSSSSSSS","SSSSSSSS..SSSSSSSS","SSSSSSSS..SSSSSSSS","..................","WCSSSSSS..SSSSSSCW","SSSSSSSS..SSSSSSSS","SSSSSHHS..SHHSSSSS","VVVVVVVV..VVVVVVVV","VVVVVVVV..VVVVVVVV","XXSSSSSS..SSSSSSXX"]',
 160, 0, @now, @now),
-- Studio 2: plain, 8 rows of 10 standard seats.
(1102, 'Studio 2',
 '["SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS","SSSSSSSSSS"]',
 80, 0, @now, @now);

-- A week of screenings: 7 days x 4 slots x 2 halls, films in rotation.
-- Standard and house seats cost the film's amount; the Grand Hall's VIP
-- rows cost more, its accessible places less.
INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, discounts, status,
                        cancel_reason, seats_total, create_time, update_time)
SELECT 2000 + 100 * h.n + 10 * d.n + k.n, f.id, h.hall_id,
       @base + d.n * 86400 + k.n * 12600,
       @base + d.n * 86400 + k.n * 12600 + f.length * 60,
       h.prices, '{"child":30,"senior":20,"student":15}', 0, '', h.seats_total, @now, @now
FROM (SELECT 0 AS n, 1101 AS hall_id, '{"V":6500,"W":3500,"C":3500}' AS prices,
             154 AS seats_total
      UNION ALL SELECT 1, 1102, '{}', 80) h
CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3
            UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6) d
CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
JOIN films f ON f.id = 1001 + MOD(4 * d.n + k.n + 3 * h.n, 6);

-- Adverts (is_com 1) and announcements (is_com 0), all valid, no time window.
INSERT INTO adverts (id, title, content, is_com, status, film_id, genre, start_at, end_at,
                     create_time, update_time) VALUES
(1301, 'Popcorn for two',
 'A large popcorn and two soft drinks for 35 CNY at the concession stand, every day before the first evening screening.',
 1, 0, 0, '', 0, 0, @now, @now),
(1302, 'Orbital Drift: feel the silence',
 'Experience Orbital Drift in the Grand Hall with its full surround sound. VIP rows I and J come with reclining seats and a blanket.',
 1, 0, 1002, 'Science Fiction', 0, 0, @now, @now),
(1303, 'Family Sundays',
 'Every Sunday children''s tickets are 30 % off for all animated films. Paper Lanterns shows four times a day this week.',
 1, 0, 1003, 'Animation', 0, 0, @now, @now),
(1304, 'Thriller nights',
 'Buy a ticket for any thriller after 20:00 and get a free coffee to keep you awake for the twist.',
 1, 0, 0, 'Thriller', 0, 0, @now, @now),
(1311, 'Step-free access to the Grand Hall',
 'Wheelchair spaces with a companion seat next to each are at both ends of row F in the Grand Hall, reached step-free from the east entrance. Ask the box office if you need help.',
 0, 0, 0, '', 0, 0, @now, @now),
(1312, 'Box office hours',
 'The box office opens 30 minutes before the first screening of the day and closes 15 minutes after the last one has started. Online sales are open around the clock.',
 0, 0, 0, '', 0, 0, @now, @now);

-- The demo customer behind the comments: cannot log in (password '!').
INSERT INTO users (id, name, gender, mobile, email, password, type, tv, disabled, create_time,
                   update_time) VALUES
(1201, 'Demo Viewer', 0, '19999990000', 'demo.viewer@example.invalid', '!', 0, 0, 0, @now, @now);

INSERT INTO comments (id, uid, fid, title, content, rating, is_anonymous, hidden, create_time,
                      update_time) VALUES
(1401, 1201, 1001, 'Beautifully quiet',
 'Hardly anything happens and yet I could not look away. The storm sequence in the second half is astonishing.',
 5, 0, 0, @now - 7200, @now - 7200),
(1402, 1201, 1002, 'Sweaty palms',
 'The most convincing space film in years: every repair feels like it could really work. The ending divided our group.',
 4, 0, 0, @now - 5400, @now - 5400),
(1403, 1201, 1003, 'Our kids loved it',
 'Gentle, funny and never too scary. The paper crane steals every scene.',
 5, 1, 0, @now - 3600, @now - 3600),
(1404, 1201, 1005, 'Come for the goat',
 'Stay for the cast. A little long in the middle, but the opening night finale is pure joy.',
 4, 0, 0, @now - 1800, @now - 1800),
(1405, 1201, 1006, 'Loud and fun',
 'No surprises in the plot, but the train stunts are real and it shows.',
 3, 0, 0, @now - 600, @now - 600);

COMMIT;
